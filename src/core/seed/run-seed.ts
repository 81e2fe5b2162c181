/**
 * `runSeed`, the seeding use case (MapProxy `seed/script.py`): load both configs, plan, run the
 * seed tasks then the cleanup tasks, with a progress file, cache locks and a time limit.
 */
import { existsSync } from 'node:fs';
import { stat, utimes, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildProxy, seedConfigCoverage } from '../app/index.js';
import { CacheError, TileLocker, type TileLock } from '../cache/index.js';
import { ConfigErrors, formatConfigProblem, loadConfig, loadSeedConfig, type Env } from '../config/index.js';
import { configureLoggingFromIni, getLogger } from '../util/index.js';
import { SeedError } from './errors.js';
import { seedPlanProblems } from './plan-problems.js';
import { planSeed, type PlannedTask, type SeedPlan } from './plan.js';
import { emptyTaskLines, formatPlannedTask, taskTileCount } from './format-plan.js';
import { SeedMetricsOutput, type SeedMetricsOptions } from './metrics-output.js';
import { ProgressStore } from './progress-store.js';
import { tuneProcessForSeeding } from './process-tuning.js';
import { runTask, taskInfo } from './run-task.js';
import type { SeedEvent, SeedTaskInfo, TaskStats } from './types.js';

const seedConfigLog = getLogger('mapproxy.seed.config');

export interface RunSeedOptions {
  /** mapproxy.yaml (`-f`). */
  readonly proxyConfigFile: string;
  /** seed.yaml (`-s`). */
  readonly seedConfigFile: string;
  /** `--seed` names or `['ALL']`; see `TaskSelection`. */
  readonly seeds?: readonly string[] | undefined;
  /** `--cleanup` names or `['ALL']`. */
  readonly cleanups?: readonly string[] | undefined;
  /** Meta tiles created at once (`-c`); default 2. */
  readonly concurrency?: number | undefined;
  /** Walk and count, but create or remove nothing (`-n`). */
  readonly dryRun?: boolean | undefined;
  /** Only refresh tiles that exist (`--skip-uncached`). */
  readonly skipUncached?: boolean | undefined;
  /**
   * Skip the tile/coverage intersection check on the last levels of each task
   * (`-l N`, `--skip-geoms-for-last-levels`; MapProxy's off-by-one kept: N-1 levels). Default 0.
   */
  readonly skipGeomsForLastLevels?: number | undefined;
  /** Progress file; with `resume` the run continues where the file says (`--continue`). */
  readonly progressFile?: string | undefined;
  readonly resume?: boolean | undefined;
  /**
   * One seeding process per cache at a time (`--use-cache-lock`, lock files in `.mapproxy_seed.lck`):
   * a locked seed is skipped for now (a `note`), the last one waits.
   */
  readonly useCacheLock?: boolean | undefined;
  /** `--reseed-file`: created when missing; with a progress file and none pending, checked and touched. */
  readonly reseedFile?: string | undefined;
  /** `--reseed-interval`: no run when `reseedFile` is younger than this. */
  readonly reseedIntervalSeconds?: number | undefined;
  /** Stop after this many seconds (`--duration`); the run counts as interrupted. */
  readonly durationSeconds?: number | undefined;
  /** Attempts after a failed meta tile (default 5) and the first backoff delay (default 1000 ms). */
  readonly retries?: number | undefined;
  readonly retryDelayMs?: number | undefined;
  /** How often the progress file is rewritten; default 1000 ms. */
  readonly progressIntervalMs?: number | undefined;
  /** A Python logging ini (`--log-config`). */
  readonly logConfigFile?: string | undefined;
  /**
   * Prometheus metrics of the run (`--metrics-file`, `--metrics-bind`): progress per task, the
   * tiles created and upstream requests, and at the end success and end time.
   */
  readonly metrics?: SeedMetricsOptions | undefined;
  /** Asked before each task (`-i`); false skips it. */
  readonly confirmTask?: ((task: SeedTaskInfo) => Promise<boolean>) | undefined;
  readonly onEvent?: ((event: SeedEvent) => void) | undefined;
  /**
   * Stops the run between meta tiles (Ctrl-C, SIGTERM); meta tiles still being created
   * `abandonAfterMs` (default 3000) after it aborted are abandoned, and the progress file then
   * points before them.
   */
  readonly signal?: AbortSignal | undefined;
  readonly abandonAfterMs?: number | undefined;
  readonly env?: Env | undefined;
  /** Clock in ms (tests inject one). */
  readonly now?: (() => number) | undefined;
}

/** How a run ended. */
export type SeedRunStatus = 'done' | 'failed' | 'interrupted' | 'not-needed';

export interface SeedRunResult {
  readonly status: SeedRunStatus;
  readonly tasks: readonly { readonly task: SeedTaskInfo; readonly stats: TaskStats }[];
  /** Meta tiles that could not be created, over all tasks. */
  readonly failureCount: number;
}

type PlanOptions = Pick<
  RunSeedOptions,
  'proxyConfigFile' | 'seedConfigFile' | 'seeds' | 'cleanups' | 'env' | 'now'
>;

/**
 * Loads the configurations and plans the selected tasks without running them (`--summary`).
 * Rejects with `ConfigErrors`, `ConfigError` (build stage) or `SeedError`.
 */
export async function planSeedRun(options: PlanOptions): Promise<SeedPlan> {
  const { plan, close } = await buildSeedRun(options);
  await close();
  return plan;
}

/**
 * The plan and `close`, which releases what the built configuration holds open (SQLite handles,
 * Redis and S3 clients). Left to the garbage collector, a WAL database was checkpointed and its
 * `-wal`/`-shm` files removed whenever the collector came to it, also long after an in-process run.
 */
async function buildSeedRun(options: PlanOptions): Promise<{ plan: SeedPlan; close: () => Promise<void> }> {
  const loaded = await loadConfig(options.proxyConfigFile, { env: options.env });
  const seedConfig = await loadSeedConfig(options.seedConfigFile, loaded, { env: options.env });
  const runtime = buildProxy(loaded);
  // MapProxy logs seed.yaml's warnings on mapproxy.seed.config, after mapproxy.yaml's
  for (const warning of seedConfig.warnings) seedConfigLog.warn(formatConfigProblem(warning));
  try {
    const plan = await planSeed(
      {
        seedConfig: seedConfig.config,
        caches: runtime.caches,
        coverage: (name) => seedConfigCoverage(seedConfig, name),
        nowMs: (options.now ?? Date.now)(),
      },
      { seeds: options.seeds, cleanups: options.cleanups },
    );
    return { plan, close: () => runtime.close() };
  } catch (error) {
    // a time limit (or remove_before) that planning refuses, at its seed.yaml key as check -s reports it
    const problems =
      error instanceof CacheError || (error instanceof SeedError && error.code === 'SEED_INVALID_OPTION')
        ? (await seedPlanProblems(runtime, seedConfig)).filter(
            ({ path: [section, name] }) =>
              (section === 'seeds' ? options.seeds : options.cleanups)?.includes(String(name)) ?? true,
          )
        : [];
    await runtime.close();
    throw problems.length > 0 ? new ConfigErrors(problems) : error;
  }
}

/**
 * Seeds and cleans as seed.yaml describes. Tile errors do not reject: they are retried, then
 * reported (`status: 'failed'`). Rejects with `ConfigErrors`/`ConfigError`/`SeedError` before any
 * work starts, with `CacheError` when a cache lock cannot be taken, and with the `listen` or write
 * error when the metrics cannot be served or written. With `metrics`, a run that rejects ends as
 * status `error`, one that resolves as its `status`.
 */
export async function runSeed(options: RunSeedOptions): Promise<SeedRunResult> {
  const metrics = options.metrics;
  if (metrics === undefined || (metrics.file === undefined && metrics.bind === undefined))
    return runSeedTasks(options);
  const now = options.now ?? Date.now;
  const output = await SeedMetricsOutput.start(metrics, now, options.dryRun ?? false);
  const onEvent = options.onEvent ?? (() => undefined);
  if (output.url !== null) onEvent({ type: 'note', message: `metrics at ${output.url}` });
  let result: SeedRunResult;
  try {
    result = await runSeedTasks({
      ...options,
      onEvent: (event) => {
        output.observe(event);
        onEvent(event);
      },
    });
  } catch (error) {
    await output.close('error', false).catch(() => undefined);
    throw error;
  }
  await output.close(result.status, result.status === 'done' || result.status === 'not-needed');
  return result;
}

async function runSeedTasks(options: RunSeedOptions): Promise<SeedRunResult> {
  if (options.logConfigFile !== undefined) await configureLoggingFromIni(options.logConfigFile);
  const { plan, close } = await buildSeedRun(options);
  try {
    return await runPlan(plan, options);
  } finally {
    await close();
  }
}

async function runPlan(plan: SeedPlan, options: RunSeedOptions): Promise<SeedRunResult> {
  const now = options.now ?? Date.now;
  const onEvent = options.onEvent ?? (() => undefined);

  // 1. --reseed-file/--reseed-interval, as MapProxy's script.py: a missing file is created; an
  // existing one is only checked (and touched) when a progress file is in use and none is pending
  // (the last run completed), so without --continue/--progress-file the interval is never checked
  const progressFile =
    options.progressFile ?? (options.resume === true ? resolve('.mapproxy_seed_progress') : undefined);
  if (options.reseedFile !== undefined) {
    if (!existsSync(options.reseedFile)) await writeFile(options.reseedFile, '');
    else if (progressFile !== undefined && !existsSync(progressFile)) {
      const ageSeconds = (now() - (await stat(options.reseedFile)).mtimeMs) / 1000;
      if (options.reseedIntervalSeconds !== undefined && ageSeconds < options.reseedIntervalSeconds) {
        onEvent({ type: 'note', message: 'no need for re-seeding' });
        return { status: 'not-needed', tasks: [], failureCount: 0 };
      }
      const t = new Date(now());
      await utimes(options.reseedFile, t, t);
    }
  }

  // 2. the run's stop signal: Ctrl-C from the caller and --duration
  const signals = [
    options.signal,
    options.durationSeconds === undefined ? undefined : AbortSignal.timeout(options.durationSeconds * 1000),
  ].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length === 0 ? undefined : AbortSignal.any(signals);
  const store =
    progressFile === undefined ? null : await ProgressStore.open(progressFile, options.resume === true);

  // 3. -i: MapProxy asks about every task before any work starts
  const selected: PlannedTask[] = [];
  for (const task of [...plan.seeds, ...plan.cleanups]) {
    if (options.confirmTask === undefined || (await options.confirmTask(taskInfo(task)))) selected.push(task);
  }

  // V8's own heap growth while seeding, no longer --heap-growing-percent=300 (022ea9b, 16889b8):
  // with the meta tiles' buffers pooled (effe9ae) the bench seed runs 8 mark-compacts without it,
  // 2 with it, between which its dead buffers (upstream bodies, socket reads) piled up in malloc:
  // peak RSS 186 (180-202) -> 154 (149-174) MB, seed CPU within noise (7 pairs, -c 2, levels 0-5)

  if (options.dryRun !== true && selected.some((task) => task.kind === 'seed'))
    tuneProcessForSeeding(Math.max(1, options.concurrency ?? 2));

  // 4. seeds first, then cleanups. With --use-cache-lock a seed whose cache another process holds
  // is put back behind the other seeds and only the last one waits (MapProxy seeder.seed); unlike
  // MapProxy, which spins, a seed skipped once waits on its next turn. Cleanups take no lock
  // (MapProxy's cleanup() has no cache locker)
  const results: { task: SeedTaskInfo; stats: TaskStats }[] = [];
  const pending = [...selected];
  const count = pending.length;
  const skipped = new Set<PlannedTask>();
  // the tasks whose coverage has no area are printed where seed.yaml has them, and counted, as
  // MapProxy prints its tasks of coverage False (format_seed_task: "Empty coverage given for this
  // task"); we printed one note per name before the first heading
  const emptyNames = { seed: plan.empty.seeds, cleanup: plan.empty.cleanups };
  const names = { seed: plan.names.seeds, cleanup: plan.names.cleanups };
  const shown = new Set<string>();
  const showEmpty = (kind: PlannedTask['kind'], before?: string): void => {
    for (const name of names[kind]) {
      if (name === before) return;
      if (shown.has(`${kind}:${name}`)) continue;
      shown.add(`${kind}:${name}`);
      for (const empty of emptyNames[kind])
        if (empty === name) onEvent({ type: 'note', message: emptyTaskLines(name).join('\n') });
    }
  };
  let section: PlannedTask['kind'] | null = null;
  // MapProxy's seed script: a heading and the task count before the first task of each kind
  // (false when the run is past that section)
  const enterSection = (kind: PlannedTask['kind']): boolean => {
    if (section === kind) return true;
    if (section === 'cleanup') return false;
    if (section === 'seed') showEmpty('seed');
    else if (kind === 'cleanup' && emptyNames.seed.length > 0) {
      // a seed section of empty tasks only
      enterSection('seed');
      showEmpty('seed');
    }
    section = kind;
    const tasks = selected.filter((t) => t.kind === kind).length + emptyNames[kind].length;
    onEvent({ type: 'note', message: sectionHeading(kind, tasks) });
    return true;
  };
  while (pending.length > 0) {
    if (signal?.aborted === true) break;
    const task = pending.shift() as PlannedTask;
    const info = taskInfo(task);
    let lock: TileLock | null = null;
    if (options.useCacheLock === true && task.kind === 'seed') {
      const seedsLeft = pending.filter((p) => p.kind === 'seed').length;
      lock = await lockCache(task, seedsLeft === 0 || skipped.has(task));
      if (lock === null) {
        onEvent({ type: 'note', message: `  ${task.name}: ...cache is locked, skipping` });
        skipped.add(task);
        pending.splice(seedsLeft, 0, task);
        continue;
      }
    }
    enterSection(task.kind);
    showEmpty(task.kind, task.name);
    onEvent({
      type: 'task-start',
      task: info,
      index: results.length,
      count,
      summary: formatPlannedTask(task),
      tilesPlanned: taskTileCount(task),
    });
    try {
      const stats = await runTask(task, {
        concurrency: Math.max(1, options.concurrency ?? 2),
        dryRun: options.dryRun ?? false,
        skipUncached: options.skipUncached ?? false,
        skipGeomsForLastLevels: options.skipGeomsForLastLevels ?? 0,
        retries: options.retries ?? 5,
        retryDelayMs: options.retryDelayMs ?? 1000,
        store,
        progressIntervalMs: options.progressIntervalMs ?? 1000,
        signal,
        abandonAfterMs: options.abandonAfterMs ?? 3000,
        onEvent,
        now,
      });
      results.push({ task: info, stats });
      onEvent({ type: 'task-end', task: info, stats });
    } finally {
      await lock?.release();
    }
  }

  if (signal?.aborted !== true) {
    for (const kind of ['seed', 'cleanup'] as const) {
      if (emptyNames[kind].length > 0 && enterSection(kind)) showEmpty(kind);
    }
  }

  const failureCount = results.reduce((n, r) => n + r.stats.failures.length, 0);
  const interrupted = signal?.aborted === true || results.some((r) => !r.stats.complete);
  if (store !== null && !interrupted && failureCount === 0 && !(options.dryRun ?? false))
    await store.remove();
  return {
    status: interrupted ? 'interrupted' : failureCount > 0 ? 'failed' : 'done',
    tasks: results,
    failureCount,
  };
}

/** `========== Seeding tasks ==========` and `Start seeding process (2 tasks)`, as MapProxy prints them. */
function sectionHeading(kind: PlannedTask['kind'], tasks: number): string {
  const [title, verb] = kind === 'seed' ? ['Seeding', 'seeding'] : ['Cleanup', 'cleanup'];
  return `========== ${title} tasks ==========\nStart ${verb} process (${tasks} task${tasks > 1 ? 's' : ''})`;
}

/**
 * MapProxy `CacheLocker('.mapproxy_seed.lck')`: one seeding process per cache. Resolves null when
 * the cache is locked and `wait` is false.
 */
async function lockCache(task: PlannedTask, wait: boolean): Promise<TileLock | null> {
  const locker = new TileLocker({
    lockDir: resolve('.mapproxy_seed.lck'),
    lockCacheId: `seed-${task.cacheName}`,
    timeoutMs: wait ? 7 * 24 * 3600 * 1000 : 0,
  });
  try {
    return await locker.acquire({ x: 0, y: 0, z: 0 });
  } catch (error) {
    if (!wait && error instanceof CacheError && error.code === 'CACHE_LOCK_TIMEOUT') return null;
    throw error;
  }
}
