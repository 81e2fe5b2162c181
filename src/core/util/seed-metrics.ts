/**
 * The gauges of one seed run (MapProxy ProgressLog's progress, level and tile count per task, and
 * how the run ended) in a registry of their own, so a server's `/metrics` never shows them.
 */
import type { Gauge } from 'prom-client';
import { METRICS_CONTENT_TYPE, processRegistry, promClient } from './metrics.js';

/** The labels of a task's series: seed.yaml name, `seed`/`cleanup`, cache, grid, levels (`0-5`, `1,3`). */
// a type, not an interface: prom-client's label parameter wants an index signature
export type SeedTaskLabels = {
  readonly task: string;
  readonly kind: string;
  readonly cache: string;
  readonly grid: string;
  readonly levels: string;
};

/** Where a task stands; all counts so far. */
export interface SeedTaskSample {
  /** 0-1 of the walk (MapProxy's `progress.progress`). */
  readonly progressRatio: number;
  readonly level: number;
  /** Tiles written (seeds) or removed (cleanups). */
  readonly tilesDone: number;
  readonly metaTilesDone: number;
  readonly elapsedSeconds: number;
  /** null while unknown. */
  readonly etaSeconds: number | null;
}

const TASK_LABELS = ['task', 'kind', 'cache', 'grid', 'levels'] as const;

/**
 * The seed run's gauges. The process-wide counters (tiles created, upstream requests and errors per
 * source, lock waits) come along in `text()`, since seeding creates tiles through the same code.
 */
export class SeedRunMetrics {
  readonly contentType = METRICS_CONTENT_TYPE;
  readonly #registry = new (promClient().Registry)();
  readonly #gauge = (name: string, help: string, labelNames: readonly string[] = []) =>
    new (promClient().Gauge)({ name, help, labelNames, registers: [this.#registry] });

  readonly #progress = this.#gauge(
    'mapproxy_seed_task_progress_ratio',
    'Part of the task walk done, 0-1 (MapProxy ProgressLog progress)',
    TASK_LABELS,
  );
  readonly #level = this.#gauge('mapproxy_seed_task_level', 'Level the task walk is on', TASK_LABELS);
  readonly #tilesDone = this.#gauge(
    'mapproxy_seed_task_tiles_done',
    'Tiles written (seed) or removed (cleanup) so far; tiles found fresh are not counted',
    TASK_LABELS,
  );
  readonly #tilesPlanned = this.#gauge(
    'mapproxy_seed_task_tiles_planned',
    'Tiles of the meta tiles touching the coverage extent, what seeding writes at most (exact for bbox coverages)',
    TASK_LABELS,
  );
  readonly #metaTilesDone = this.#gauge(
    'mapproxy_seed_task_meta_tiles_done',
    'Meta tiles created (seed) or handled (cleanup) so far',
    TASK_LABELS,
  );
  readonly #failed = this.#gauge(
    'mapproxy_seed_task_failed_meta_tiles',
    'Meta tiles that could not be created after all retries',
    TASK_LABELS,
  );
  readonly #elapsed = this.#gauge('mapproxy_seed_task_elapsed_seconds', 'Seconds the task has run', TASK_LABELS);
  readonly #eta = this.#gauge(
    'mapproxy_seed_task_eta_seconds',
    'Estimated seconds until the task is done (from progress ratio and elapsed time; 0 when done)',
    TASK_LABELS,
  );
  readonly #complete = this.#gauge(
    'mapproxy_seed_task_complete',
    '1 once the task has walked all its tiles, 0 while it runs or when it was stopped',
    TASK_LABELS,
  );
  readonly #tasks = this.#gauge('mapproxy_seed_run_tasks', 'Tasks selected for this run');
  readonly #tasksDone = this.#gauge('mapproxy_seed_run_tasks_done', 'Tasks of this run that have ended');
  readonly #running = this.#gauge('mapproxy_seed_run_running', '1 while the seed run works, 0 once it has ended');
  readonly #dryRun = this.#gauge('mapproxy_seed_run_dry_run', '1 for a dry run (-n), which writes no tiles');
  readonly #started = this.#gauge('mapproxy_seed_run_start_timestamp_seconds', 'When the seed run started');
  readonly #runElapsed = this.#gauge('mapproxy_seed_run_elapsed_seconds', 'Seconds the seed run has taken');
  #ended: {
    readonly success: Gauge;
    readonly status: Gauge;
    readonly at: Gauge;
  } | null = null;
  readonly #startMs: number;

  constructor(options: { readonly startMs: number; readonly dryRun: boolean }) {
    this.#startMs = options.startMs;
    this.#started.set(options.startMs / 1000);
    this.#running.set(1);
    this.#dryRun.set(options.dryRun ? 1 : 0);
  }

  /** The run's task count, once planned. */
  planned(tasks: number): void {
    this.#tasks.set(tasks);
  }

  /** A task begins; its walk samples follow through `taskProgress`. */
  taskStarted(labels: SeedTaskLabels, tilesPlanned: number): void {
    this.#tilesPlanned.set(labels, tilesPlanned);
    this.#complete.set(labels, 0);
    this.#failed.set(labels, 0);
  }

  taskProgress(labels: SeedTaskLabels, sample: SeedTaskSample): void {
    this.#progress.set(labels, sample.progressRatio);
    this.#level.set(labels, sample.level);
    this.#tilesDone.set(labels, sample.tilesDone);
    this.#metaTilesDone.set(labels, sample.metaTilesDone);
    this.#elapsed.set(labels, sample.elapsedSeconds);
    if (sample.etaSeconds !== null) this.#eta.set(labels, sample.etaSeconds);
  }

  taskFailure(labels: SeedTaskLabels): void {
    this.#failed.inc(labels);
  }

  taskEnded(labels: SeedTaskLabels, complete: boolean): void {
    this.#complete.set(labels, complete ? 1 : 0);
    if (complete) this.#eta.set(labels, 0);
    this.#tasksDone.inc();
  }

  /** The elapsed time at `nowMs`; called before each `text()`. */
  tick(nowMs: number): void {
    this.#runElapsed.set((nowMs - this.#startMs) / 1000);
  }

  /**
   * The run ended at `nowMs` with `status` (`done`, `not-needed`: success; `failed`,
   * `interrupted`, `error`: failure). The success, status and end series exist only from now
   * on, so an alert on `mapproxy_seed_run_success == 0` never fires on a run still working.
   */
  ended(status: string, success: boolean, nowMs: number): void {
    this.tick(nowMs);
    this.#running.set(0);
    this.#ended ??= {
      success: this.#gauge('mapproxy_seed_run_success', '1 when the seed run ended without failures, else 0'),
      status: this.#gauge(
        'mapproxy_seed_run_status',
        'How the seed run ended: 1 for its status (done, not-needed, failed, interrupted, error)',
        ['status'],
      ),
      at: this.#gauge('mapproxy_seed_run_end_timestamp_seconds', 'When the seed run ended'),
    };
    this.#ended.success.set(success ? 1 : 0);
    this.#ended.status.reset();
    this.#ended.status.set({ status }, 1);
    this.#ended.at.set(nowMs / 1000);
  }

  /** The run's gauges and the process-wide counters, in the Prometheus text format. */
  text(): Promise<string> {
    return promClient().Registry.merge([processRegistry(), this.#registry]).metrics();
  }
}
