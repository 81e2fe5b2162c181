/**
 * The seam of the bench: a scenario is a named measurement against one freshly started target
 * (own temp dir, empty cache). Add a file in bench/scenarios/ and list it in index.ts.
 */
import type { Measurement } from '../measure.js';
import type { BenchOptions } from '../options.js';
import type { Target } from '../target.js';
import type { BenchUpstream } from '../upstream.js';

export interface ScenarioContext {
  /** Started for this scenario alone; its cache is empty. */
  readonly target: Target;
  /** Shared by every scenario; its count is reset before each one. */
  readonly upstream: BenchUpstream;
  readonly options: BenchOptions;
}

/** What a scenario reports: the load run, plus what it cost upstream. */
export interface ScenarioResult extends Measurement {
  /** Upstream requests during the measured run (not the preparation). */
  readonly upstreamRequests: number;
  /** Free-form detail for the table (`341 tiles, levels 0-4`). */
  readonly note: string;
  /**
   * Peak RSS in MB of the largest process that did the work, where that is not a server worker
   * (a seed run: the seed command's processes); the server's workers are sampled otherwise.
   */
  readonly peakRssMb?: number;
}

export interface Scenario {
  /** Stable, kebab-case: selects it with `--scenario` and keys it in the JSON. */
  readonly name: string;
  /** One line for `--help` and the table. */
  readonly description: string;
  /** Its requests are hits of stored tile files, which nginx can serve as they are: the reference row. */
  readonly nginxReference?: boolean;
  run(context: ScenarioContext): Promise<ScenarioResult>;
}
