/**
 * The `check` use case: load mapproxy.yaml (and seed.yaml), run any extra checks, and report
 * every problem instead of throwing. Extra checks (e.g. building grids in app/) plug in here.
 */
import { ConfigError, ConfigErrors, type ConfigWarning } from './errors.js';
import type { Env } from './env.js';
import { loadConfig, type LoadedConfig } from './load-config.js';
import { loadSeedConfig, type LoadedSeedConfig } from './load-seed-config.js';
import type { LayerConfig } from './types.js';

/** What an extra check may report; throwing `ConfigError`/`ConfigErrors` works too. */
export interface ConfigCheckResult {
  readonly errors?: readonly ConfigError[];
  readonly warnings?: readonly ConfigWarning[];
}

/** A later-stage check run after a clean load, e.g. "every grid can be built". */
export type ConfigCheck = (
  loaded: LoadedConfig,
  seed: LoadedSeedConfig | undefined,
) => ConfigCheckResult | undefined | Promise<ConfigCheckResult | undefined>;

export interface CheckConfigOptions {
  readonly configFile: string;
  readonly seedFile?: string;
  readonly env?: Env;
  /** Run in order after loading succeeded; each one's problems are collected. */
  readonly checks?: readonly ConfigCheck[];
}

export interface ConfigSummary {
  readonly layers: number;
  readonly caches: number;
  readonly sources: number;
  readonly grids: number;
}

export interface SeedSummary {
  readonly seeds: number;
  readonly cleanups: number;
  readonly coverages: number;
}

export interface CheckConfigResult {
  readonly ok: boolean;
  readonly errors: readonly ConfigError[];
  readonly warnings: readonly ConfigWarning[];
  /** Present when mapproxy.yaml loaded. */
  readonly summary?: ConfigSummary;
  /** Present when a seed file was given and loaded. */
  readonly seedSummary?: SeedSummary;
}

/** Loads and checks; config problems are returned, anything unexpected is thrown. */
export async function checkConfig(options: CheckConfigOptions): Promise<CheckConfigResult> {
  const errors: ConfigError[] = [];
  const warnings: ConfigWarning[] = [];
  const collect = (err: unknown): void => {
    if (err instanceof ConfigErrors) {
      errors.push(...err.errors);
      warnings.push(...err.warnings);
    } else if (err instanceof ConfigError) {
      errors.push(err);
    } else {
      throw err;
    }
  };

  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(options.configFile, { env: options.env });
  } catch (err) {
    collect(err);
    return { ok: false, errors, warnings };
  }
  warnings.push(...loaded.warnings);
  const summary = summarize(loaded);

  let seed: LoadedSeedConfig | undefined;
  if (options.seedFile !== undefined) {
    try {
      seed = await loadSeedConfig(options.seedFile, loaded, { env: options.env });
      warnings.push(...seed.warnings);
    } catch (err) {
      collect(err);
    }
  }

  for (const check of options.checks ?? []) {
    try {
      const result = await check(loaded, seed);
      errors.push(...(result?.errors ?? []));
      warnings.push(...(result?.warnings ?? []));
    } catch (err) {
      collect(err);
    }
  }

  const seedSummary =
    seed === undefined
      ? undefined
      : {
          seeds: Object.keys(seed.config.seeds).length,
          cleanups: Object.keys(seed.config.cleanups).length,
          coverages: Object.keys(seed.config.coverages).length,
        };
  return { ok: errors.length === 0, errors, warnings, summary, ...(seedSummary ? { seedSummary } : {}) };
}

function summarize(loaded: LoadedConfig): ConfigSummary {
  const { config } = loaded;
  return {
    layers: countLayers(config.layers),
    caches: Object.keys(config.caches).length,
    sources: Object.keys(config.sources).length,
    grids: Object.keys(config.grids).length,
  };
}

function countLayers(layers: readonly LayerConfig[] | undefined): number {
  return (layers ?? []).reduce((sum, layer) => sum + 1 + countLayers(layer.layers), 0);
}
