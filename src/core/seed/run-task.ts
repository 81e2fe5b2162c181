/**
 * Runs one planned task: the seed walk (create missing or stale meta tiles, one upstream request
 * each) or the cleanup (level directories or files, or the walk removing old tiles). Never prints.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { FileCache, isStale, type TileCache } from '../cache/index.js';
import { createMetaGrid, metaTileCoords, type TileCoord } from '../grid/index.js';
import { Gate } from '../util/index.js';
import { cleanupDirectory } from './cleanup-directory.js';
import { JobAbandoned, JobPool } from './job-pool.js';
import type { PlannedTask } from './plan.js';
import type { ProgressStore } from './progress-store.js';
import type { SeedEvent, SeedTaskInfo, TaskStats } from './types.js';
import { walkTiles, type ProgressPath } from './walk.js';

export interface RunTaskOptions {
  readonly concurrency: number;
  readonly dryRun: boolean;
  /** `--skip-uncached`: only refresh tiles that exist. */
  readonly skipUncached: boolean;
  /** `-l N`: no coverage check on the last levels (see `WalkOptions.skipGeomsForLastLevels`). */
  readonly skipGeomsForLastLevels: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly store: ProgressStore | null;
  /** False: sources are queried as outside seeding (`seed_only` ones stay offline); default true. */
  readonly sourcesSeeding?: boolean | undefined;
  readonly progressIntervalMs: number;
  readonly signal?: AbortSignal | undefined;
  /** After `signal` aborted, meta tiles still being created this long are abandoned. */
  readonly abandonAfterMs?: number | undefined;
  readonly onEvent: (event: SeedEvent) => void;
  readonly now: () => number;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs `task`; resolves with its counts (failures included, it never rejects for tile errors). */
export async function runTask(task: PlannedTask, options: RunTaskOptions): Promise<TaskStats> {
  const { manager } = task;
  const stats = { metaTiles: 0, tiles: 0, removed: 0, skipped: 0, failures: [] as TileFailure[] };
  const started = options.now();
  const { store } = options;
  if (store?.isDone(task.id) === true) return finish(stats, started, options.now(), true);

  // cleanups of a whole level on a file cache work on the directories (MapProxy simple_cleanup)
  const cache = manager.cache;
  if (task.kind === 'cleanup' && task.completeExtent && cache instanceof FileCache) {
    const dirs = task.levels.map((level) => cache.levelDirectory(level));
    if (dirs.every((d) => d !== null)) {
      for (const [i, dir] of dirs.entries()) {
        if (options.signal?.aborted === true) break;
        stats.removed += await cleanupDirectory(dir, task.limitSeconds ?? 0, options.dryRun);
        emitProgress(task, options, stats, started, (i + 1) / dirs.length, task.levels[i] ?? 0);
      }
      return finish(stats, started, options.now(), options.signal?.aborted !== true);
    }
  }
  // ... and on the caches that clean a level at once (MapProxy cache_cleanup: sqlite level files
  // go as a whole, mbtiles/geopackage rows, compact level directories). A dry run removes nothing.
  const levelCache: TileCache = cache;
  if (task.kind === 'cleanup' && task.completeExtent && levelCache.removeLevelTilesBefore !== undefined) {
    for (const [i, level] of task.levels.entries()) {
      if (options.signal?.aborted === true) break;
      if (!options.dryRun)
        stats.removed += (await levelCache.removeLevelTilesBefore(level, task.limitSeconds ?? 0)) ?? 0;
      emitProgress(task, options, stats, started, (i + 1) / task.levels.length, level);
    }
    return finish(stats, started, options.now(), options.signal?.aborted !== true);
  }

  const { metaSize } = manager;
  const walkGrid = createMetaGrid(manager.grid, metaSize, 0);
  const tilesOf = (coord: TileCoord): TileCoord[] =>
    metaTileCoords(walkGrid, coord).filter((c): c is TileCoord => c !== null);
  // seeds with -c N: N upstream requests in flight at all times, and N more meta tiles split,
  // encoded and stored meanwhile, so the upstream never waits for that CPU work (MapProxy: N
  // processes, each fetching, then encoding, so its upstream idles while they encode). -c 1 too:
  // one request at a time, in walk order, the next sent while the last meta tile is stored
  const sourceGate = task.kind === 'seed' ? new Gate(options.concurrency) : undefined;
  const pool = new JobPool({
    concurrency: options.concurrency * (sourceGate === undefined ? 1 : 2),
    retries: task.kind === 'seed' ? options.retries : 0,
    retryDelayMs: options.retryDelayMs,
    maxDelayMs: 600_000,
    signal: options.signal,
    abandonAfterMs: options.abandonAfterMs,
  });
  // walk positions of unfinished (or failed) jobs in dispatch order: the resume point is the first
  let sequence = 0;
  const open = new Map<number, ProgressPath>();
  let lastVisited: ProgressPath = store?.position(task.id) ?? [];
  let lastWrite = 0;
  let fraction = 0;
  let level = task.levels[0] ?? 0;
  const checkpoint = async (force: boolean): Promise<void> => {
    if (store === null || options.dryRun) return;
    const nowMs = options.now();
    if (!force && nowMs - lastWrite < options.progressIntervalMs) return;
    lastWrite = nowMs;
    store.set(task.id, open.values().next().value ?? lastVisited);
    await store.write();
  };

  let lastYield = performance.now();
  const visit = async (coord: TileCoord, path: ProgressPath, visitLevel: number): Promise<void> => {
    // a walk over tiles that need no I/O (dry runs, memory caches) would otherwise run on
    // microtasks alone and starve timers and signal handlers (Ctrl-C, SIGTERM, the spinner)
    if (performance.now() - lastYield > 50) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
    level = visitLevel;
    lastVisited = path;
    const job = await planJob(task, options, coord, tilesOf, sourceGate);
    if (job === null) {
      stats.skipped += 1;
      return;
    }
    if (options.dryRun) {
      stats.metaTiles += 1;
      stats.tiles += job.tiles;
      return;
    }
    const id = sequence++;
    open.set(id, path);
    await pool.submit(
      job.run,
      (error) => {
        if (error === null) {
          open.delete(id);
          stats.metaTiles += 1;
          if (task.kind === 'seed') stats.tiles += job.tiles;
          else stats.removed += job.tiles;
        } else {
          // failed jobs keep the resume point, so --continue tries them again
          stats.failures.push({ coord, message: message(error) });
          options.onEvent({ type: 'failure', task: taskInfo(task), coord, message: message(error) });
        }
        emitProgress(task, options, stats, started, fraction, level);
        void checkpoint(false).catch(() => undefined);
      },
      (retry) => {
        // MapProxy exp_backoff prints each retry ("Retry in N seconds ... Retries left: N")
        options.onEvent({
          type: 'retry',
          task: taskInfo(task),
          coord,
          retriesLeft: retry.retriesLeft,
          delaySeconds: retry.delayMs / 1000,
          message: message(retry.error),
        });
      },
    );
  };

  await walkTiles({
    grid: manager.grid,
    metaSize,
    levels: task.levels,
    coverage: task.coverage,
    skipGeomsForLastLevels: options.skipGeomsForLastLevels,
    resumeFrom: store?.position(task.id) ?? null,
    visit,
    onProgress: (f) => {
      fraction = f;
    },
    signal: options.signal,
  });
  await pool.drain();
  const complete = options.signal?.aborted !== true;
  if (store !== null && !options.dryRun) {
    store.set(task.id, open.values().next().value ?? lastVisited, complete && stats.failures.length === 0);
    await store.write();
  }
  emitProgress(task, options, stats, started, complete ? 1 : fraction, level);
  return finish(stats, started, options.now(), complete);
}

interface TileFailure {
  readonly coord: TileCoord;
  readonly message: string;
}

interface PlannedJob {
  readonly tiles: number;
  readonly run: () => Promise<void>;
}

/** What to do for one meta tile of the walk; null when nothing is to be done there. */
async function planJob(
  task: PlannedTask,
  options: RunTaskOptions,
  coord: TileCoord,
  tilesOf: (coord: TileCoord) => TileCoord[],
  sourceGate: Gate | undefined,
): Promise<PlannedJob | null> {
  const { manager } = task;
  const limit = task.limitSeconds;
  if (task.kind === 'cleanup') {
    // MapProxy is_stale: stored, and int(mtime) <= limit (work_on_metatiles=False: every tile).
    // A limit of 0 (remove_all) takes every stored tile: MapProxy's walk compares mtime < 0 and
    // removes none (a cleanup with a coverage, or of whole levels of a reverse_tms cache; of a
    // quadkey cache its level-directory cleanup fails)
    const stale: TileCoord[] = [];
    for (const tile of tilesOf(coord)) {
      const timestampMs = await manager.cache.tileTimestamp(tile);
      if (timestampMs !== null && (limit === 0 || isStale(timestampMs, limit ?? 0))) stale.push(tile);
    }
    if (stale.length === 0) return null;
    return { tiles: stale.length, run: () => manager.removeTiles(stale) };
  }
  // seeds: the meta tile's first tile decides (MapProxy work_on_metatiles); rescaling caches go tile by tile
  const candidates = manager.rescalesTiles ? tilesOf(coord) : [coord];
  const todo: TileCoord[] = [];
  for (const tile of candidates) {
    if (options.skipUncached) {
      const exists = await manager.cache.isCached(tile);
      if (exists && !(await manager.isCached(tile, undefined, limit))) todo.push(tile);
    } else if (!(await manager.isCached(tile, undefined, limit))) {
      todo.push(tile);
    }
  }
  if (todo.length === 0) return null;
  return {
    tiles: manager.rescalesTiles ? todo.length : tilesOf(coord).length,
    run: async () => {
      // stopped (--duration, a signal) while waiting for the upstream: no request starts then
      const state = { stopped: false };
      const gate = sourceGate && {
        run: <T>(query: () => Promise<T>): Promise<T> =>
          sourceGate.run(() => {
            state.stopped ||= options.signal?.aborted === true;
            return state.stopped ? Promise.reject(new JobAbandoned('seed stopped')) : query();
          }),
      };
      await manager.loadTiles(todo, {
        isSeeding: true,
        // the seed reads none of the tiles it creates
        storesOnly: true,
        sourcesSeeding: options.sourcesSeeding,
        staleLimitSeconds: limit,
        sourceGate: gate,
      });
      // a stale copy may have stood in for the tiles: still not seeded
      if (state.stopped) throw new JobAbandoned('seed stopped');
    },
  };
}

/** The public description of a task. */
export function taskInfo(task: PlannedTask): SeedTaskInfo {
  return {
    kind: task.kind,
    name: task.name,
    cacheName: task.cacheName,
    gridName: task.gridName,
    levels: task.levels,
    id: task.id,
  };
}

function emitProgress(
  task: PlannedTask,
  options: RunTaskOptions,
  stats: { metaTiles: number; tiles: number; removed: number },
  started: number,
  fraction: number,
  level: number,
): void {
  const seconds = Math.max(0.001, (options.now() - started) / 1000);
  const tilesPerSecond = (task.kind === 'seed' ? stats.tiles : stats.removed) / seconds;
  const etaSeconds = fraction > 0 && fraction < 1 ? (seconds / fraction) * (1 - fraction) : null;
  options.onEvent({
    type: 'progress',
    task: taskInfo(task),
    level,
    fraction: Math.min(1, fraction),
    metaTiles: stats.metaTiles,
    tiles: stats.tiles,
    removed: stats.removed,
    tilesPerSecond,
    elapsedSeconds: seconds,
    etaSeconds,
  });
}

function finish(
  stats: { metaTiles: number; tiles: number; removed: number; skipped: number; failures: TileFailure[] },
  started: number,
  ended: number,
  complete: boolean,
): TaskStats {
  return { ...stats, seconds: (ended - started) / 1000, complete };
}
