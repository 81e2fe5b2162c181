/**
 * Seed planning (MapProxy `seed/config.py` `SeedConfiguration`/`CleanupConfiguration`): which
 * cache, grid, levels, coverage and time limit each task has. No tile is touched here.
 */
import {
  LevelCache,
  refreshLimitSeconds,
  type RefreshBefore,
  type TileCache,
  type TileManager,
} from '../cache/index.js';
import type { SeedConfig, TimeSpecConfig } from '../config/index.js';
import { createBBoxCoverage, transformCoverage, type Coverage, createMultiCoverage } from '../grid/index.js';
import { SeedError } from './errors.js';
import { taskLevels } from './levels.js';

/** One cache and grid of a `seeds` or `cleanups` entry. */
export interface PlannedTask {
  readonly kind: 'seed' | 'cleanup';
  /** The seed.yaml task name. */
  readonly name: string;
  readonly cacheName: string;
  readonly gridName: string;
  readonly manager: TileManager;
  /** Ascending level numbers. */
  readonly levels: readonly number[];
  /** The area in the grid SRS (the grid's bbox when the task has no `coverages`). */
  readonly coverage: Coverage;
  readonly hasCoverage: boolean;
  /**
   * Seeds: `refresh_before` (s since the epoch) or null. Cleanups: tiles older than this go
   * (`remove_before`, now when not given, 0 for `remove_all`).
   */
  readonly limitSeconds: number | null;
  /** Cleanup without coverage: whole level directories are cleaned (MapProxy `complete_extent`). */
  readonly completeExtent: boolean;
  /** Stable key of the task in progress files. */
  readonly id: string;
}

/** The tasks of a run, seeds first, in seed.yaml order. */
export interface SeedPlan {
  readonly seeds: readonly PlannedTask[];
  readonly cleanups: readonly PlannedTask[];
  /** The selected task names in seed.yaml order, also those skipped (for the summaries). */
  readonly names: { readonly seeds: readonly string[]; readonly cleanups: readonly string[] };
  /**
   * The names of the tasks left out because their coverage has no area (MapProxy skips them too;
   * see {@link skippedTaskNotes}), a name once per grid and cache of its task, as MapProxy has a
   * task (and prints "Empty coverage given for this task") for each.
   */
  readonly empty: { readonly seeds: readonly string[]; readonly cleanups: readonly string[] };
}

/** Task names to run: a list, `ALL`, or undefined (MapProxy: all unless the other kind was named). */
export interface TaskSelection {
  readonly seeds?: readonly string[] | undefined;
  readonly cleanups?: readonly string[] | undefined;
}

export interface PlanContext {
  readonly seedConfig: SeedConfig;
  readonly caches: ReadonlyMap<string, ReadonlyMap<string, TileManager>>;
  /**
   * Builds the coverage `name` of `seedConfig` (app's `seedConfigCoverage` for a seed.yaml): null
   * when it has no area; throws for anything else that is wrong with it. Called once per name.
   */
  readonly coverage: (name: string) => Coverage | null;
  /** Clock in ms (the default `remove_before` is "now"). */
  readonly nowMs: number;
}

function selected(
  names: readonly string[] | undefined,
  other: readonly string[] | undefined,
  available: readonly string[],
  kind: string,
): string[] {
  if (names === undefined) return other === undefined ? [...available] : [];
  if (names.length === 1 && names[0] === 'ALL') return [...available];
  const missing = names.filter((n) => !available.includes(n));
  if (missing.length > 0) {
    throw new SeedError(
      `unknown ${kind} tasks: ${missing.join(', ')}\navailable ${kind} tasks: ${available.join(', ')}`,
      'SEED_UNKNOWN_TASK',
    );
  }
  return [...names];
}

/**
 * MapProxy's `supports_timestamp` of a cache that cleans levels at once: false for its mbtiles,
 * geopackage and compact caches, true for its level caches (which never keep times for geopackage).
 */
export function hasMapProxyTimestamps(cache: TileCache): boolean {
  return cache.supportsTimestamps || cache instanceof LevelCache;
}

function toRefreshBefore(spec: TimeSpecConfig): RefreshBefore {
  const { time } = spec;
  return { ...spec, time: typeof time === 'string' || time instanceof Date ? time : undefined };
}

/** What export says of the tasks `plan` left out because their coverage has no area, seeds first. */
export function skippedTaskNotes(plan: SeedPlan): string[] {
  return [...new Set(plan.empty.seeds), ...new Set(plan.empty.cleanups)].map(
    (name) => `${name}: coverage contains no geometries, task skipped`,
  );
}

/**
 * Plans the selected tasks. Rejects with `SeedError` (`SEED_UNKNOWN_TASK`; `SEED_INVALID_OPTION`
 * for a `remove_before` on a cache without timestamps, or levels none of which the grid has), whatever
 * `context.coverage` throws, and `CacheError` (`CACHE_INVALID_OPTION`) for unusable time limits.
 */
export async function planSeed(context: PlanContext, selection: TaskSelection = {}): Promise<SeedPlan> {
  const { seedConfig, caches } = context;
  const empty = { seeds: [] as string[], cleanups: [] as string[] };
  const coverageCache = new Map<string, Coverage | null>();
  const coverage = (name: string): Coverage | null => {
    if (!coverageCache.has(name)) coverageCache.set(name, context.coverage(name));
    return coverageCache.get(name) ?? null;
  };

  const build = async (kind: 'seed' | 'cleanup', name: string): Promise<PlannedTask[]> => {
    const conf = kind === 'seed' ? seedConfig.seeds[name] : seedConfig.cleanups[name];
    if (conf === undefined) return [];
    // 1. coverages: one, or "any of" several; an empty one skips the task
    let area: Coverage | null = null;
    if (conf.coverages !== undefined && conf.coverages.length > 0) {
      const parts = conf.coverages.map(coverage);
      if (parts.some((p) => p === null)) {
        for (const gridName of conf.grids)
          for (const cacheName of conf.caches)
            if (caches.get(cacheName)?.get(gridName) !== undefined)
              (kind === 'seed' ? empty.seeds : empty.cleanups).push(name);
        return [];
      }
      const valid = parts as Coverage[];
      area = valid.length === 1 ? (valid[0] as Coverage) : createMultiCoverage(valid);
    }
    // 2. the time limit
    let limitSeconds: number | null = null;
    if (kind === 'seed') {
      const spec = seedConfig.seeds[name]?.refresh_before;
      if (spec !== undefined) limitSeconds = await refreshLimitSeconds(toRefreshBefore(spec), context.nowMs);
    } else {
      const cleanup = seedConfig.cleanups[name];
      if (cleanup?.remove_all === true) limitSeconds = 0;
      else if (cleanup?.remove_before !== undefined)
        limitSeconds = await refreshLimitSeconds(toRefreshBefore(cleanup.remove_before), context.nowMs);
      else limitSeconds = context.nowMs / 1000;
    }
    // 3. one task per grid, then cache (MapProxy's loop order)
    const tasks: PlannedTask[] = [];
    for (const gridName of conf.grids) {
      for (const cacheName of conf.caches) {
        const manager = caches.get(cacheName)?.get(gridName);
        if (manager === undefined) continue;
        const { grid } = manager;
        const inGrid =
          area === null
            ? createBBoxCoverage({ bbox: grid.bbox, srs: grid.srs })
            : transformCoverage(area, grid.srs);
        const levels = taskLevels(conf, grid);
        if (levels.length === 0) {
          // MapProxy 1.15 fails with an IndexError on such a task; we seeded nothing in silence
          const key = conf.levels === undefined ? 'resolutions' : 'levels';
          throw new SeedError(
            `no level of grid ${gridName} (levels 0-${String(grid.resolutions.length - 1)}) is in ${key} of ${kind} task '${name}'`,
            'SEED_INVALID_OPTION',
            { key },
          );
        }
        let taskLimit = limitSeconds;
        const { cache } = manager;
        if (kind === 'cleanup' && !cache.supportsTimestamps && cache.removeLevelTilesBefore !== undefined) {
          // MapProxy CleanupConfiguration: a cache without timestamps removes everything
          // (also the geopackage level cache, to which MapProxy passes the 0 it set for the
          // cache before it) or refuses remove_before
          const before = seedConfig.cleanups[name]?.remove_before;
          if (before === undefined || seedConfig.cleanups[name]?.remove_all === true) taskLimit = 0;
          else if (!hasMapProxyTimestamps(cache))
            throw new SeedError(
              `cleanup does not support remove_before for '${name}' because cache '${cacheName}' does not support timestamps`,
              'SEED_INVALID_OPTION',
            );
        }
        tasks.push({
          kind,
          name,
          cacheName,
          gridName,
          manager,
          levels,
          coverage: inGrid,
          hasCoverage: area !== null,
          limitSeconds: taskLimit,
          completeExtent: kind === 'cleanup' && area === null,
          id: `${kind}:${name}:${cacheName}:${gridName}:${levels.join(',')}`,
        });
      }
    }
    return tasks;
  };

  const seedNames = selected(selection.seeds, selection.cleanups, Object.keys(seedConfig.seeds), 'seed');
  const cleanupNames = selected(
    selection.cleanups,
    selection.seeds,
    Object.keys(seedConfig.cleanups),
    'cleanup',
  );
  const seeds = (await Promise.all(seedNames.map((n) => build('seed', n)))).flat();
  const cleanups = (await Promise.all(cleanupNames.map((n) => build('cleanup', n)))).flat();
  return { seeds, cleanups, names: { seeds: seedNames, cleanups: cleanupNames }, empty };
}
