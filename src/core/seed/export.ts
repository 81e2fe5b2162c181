/**
 * `mapproxy-util export` (MapProxy 1.15 `script/export.py`): copies a cache (or what a source
 * serves) into a new cache of another type, grid, coverage and levels, by seeding a cache named
 * `export` that has the `--source` as its only source. Without `--fetch-missing-tiles` every
 * source is `seed_only` and queried as outside seeding, so tiles missing in the source cache stay
 * missing instead of being fetched (MapProxy loads the configuration unseeded for that).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildProxy, seedingCoverage } from '../app/index.js';
import { loadConfig, type CoverageConfig, type Env, type SeedConfig } from '../config/index.js';
import { DEFAULT_GRIDS } from '../grid/index.js';
import { getSrs } from '../srs/index.js';
import { SeedError } from './errors.js';
import {
  exportBackend,
  isExportType,
  EXPORT_TYPES,
  parseGridDefinition,
  parseLevels,
} from './export-args.js';
import { planSeed, skippedTaskNotes, type PlannedTask } from './plan.js';
import { runTask } from './run-task.js';
import type { SeedEvent, TaskStats } from './types.js';

/** MapProxy's names for the export cache and an inline grid. */
const EXPORT_CACHE = 'export';
const CUSTOM_GRID = 'tmp_mapproxy_export_grid';

export interface ExportOptions {
  readonly proxyConfigFile: string;
  /** `--grid`: a grid name of the configuration, or a definition (`"srs='EPSG:4326' bbox=[...]"`). */
  readonly grid: string;
  /** `--source`: a source or cache of the configuration. */
  readonly source: string;
  /** `--dest`: a directory or file (per type), relative to `cwd`. */
  readonly dest: string;
  /** `--type`, default `tms`. */
  readonly type?: string | undefined;
  /** `--levels`: `1,2,3`, `1..10`, `1,3..5`. */
  readonly levels: string;
  readonly fetchMissingTiles?: boolean | undefined;
  /** Write into an existing destination. */
  readonly force?: boolean | undefined;
  readonly dryRun?: boolean | undefined;
  readonly concurrency?: number | undefined;
  /** `--coverage` (a bbox `minx,miny,maxx,maxy` or a coverage file), `--srs` (default the grid's), `--where`. */
  readonly coverage?: string | undefined;
  readonly srs?: string | undefined;
  readonly where?: string | undefined;
  readonly retries?: number | undefined;
  readonly retryDelayMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onEvent?: ((event: SeedEvent) => void) | undefined;
  readonly env?: Env | undefined;
  /** Resolves `dest` and `coverage`; default `process.cwd()`. */
  readonly cwd?: string | undefined;
  readonly now?: (() => number) | undefined;
}

export interface ExportResult {
  /** MapProxy's `format_export_task` lines (also sent as a `note` event before the export starts). */
  readonly summary: string;
  /** True when tiles are rescaled or reprojected (MapProxy: "grids are incompatible"). */
  readonly incompatibleGrids: boolean;
  readonly stats: TaskStats;
}

/** Exports; rejects with `SeedError` for bad options, `ConfigErrors` for the configuration. */
export async function runExport(options: ExportOptions): Promise<ExportResult> {
  const cwd = options.cwd ?? process.cwd();
  const now = options.now ?? Date.now;
  const type = options.type ?? 'tms';
  if (!isExportType(type))
    throw new SeedError(
      `unsupported --type ${type} (supported: ${EXPORT_TYPES.join(', ')})`,
      'SEED_INVALID_OPTION',
    );
  const levels = parseLevels(options.levels);
  const customGrid = options.grid.includes('=') ? parseGridDefinition(options.grid) : null;
  const gridName = customGrid === null ? options.grid : CUSTOM_GRID;
  const dest = resolve(cwd, options.dest);
  if (existsSync(dest) && options.force !== true)
    throw new SeedError(`destination ${dest} exists, remove first or use --force`, 'SEED_DESTINATION_EXISTS');

  // 1. the configuration plus the export cache (and the inline grid)
  const loaded = await loadConfig(options.proxyConfigFile, {
    env: options.env,
    amend: (plain) => {
      const caches = (plain.caches ?? {}) as Record<string, unknown>;
      if (Object.hasOwn(caches, EXPORT_CACHE))
        throw new SeedError(
          `the configuration has a cache named "${EXPORT_CACHE}" already`,
          'SEED_INVALID_OPTION',
        );
      const sources = (plain.sources ?? {}) as Record<string, unknown>;
      if (!Object.hasOwn(sources, options.source) && !Object.hasOwn(caches, options.source))
        throw new SeedError(
          `unknown --source ${options.source} (neither a source nor a cache)`,
          'SEED_UNKNOWN_SOURCE',
        );
      // before the export cache refers to it: an unknown grid is the command line's, not the file's
      const grids = { ...DEFAULT_GRIDS, ...(plain.grids as object | undefined) };
      if (customGrid === null && !Object.hasOwn(grids, gridName))
        throw new SeedError(
          `unknown --grid ${gridName} (known: ${Object.keys(grids).join(', ')})`,
          'SEED_UNKNOWN_GRID',
        );
      if (customGrid !== null)
        plain.grids = { ...(plain.grids as object | undefined), [CUSTOM_GRID]: customGrid };
      plain.caches = {
        ...caches,
        [EXPORT_CACHE]: { grids: [gridName], sources: [options.source], cache: exportBackend(type, dest) },
      };
      if (options.fetchMissingTiles !== true) {
        for (const source of Object.values(sources)) {
          if (typeof source === 'object' && source !== null)
            (source as Record<string, unknown>).seed_only = true;
        }
      }
    },
  });
  const runtime = buildProxy(loaded);
  const manager = runtime.caches.get(EXPORT_CACHE)?.get(gridName);
  if (manager === undefined) throw new SeedError(`unknown --grid ${options.grid}`, 'SEED_INVALID_OPTION');
  const last = levels.at(-1) ?? 0;
  if (last >= manager.grid.resolutions.length)
    throw new SeedError(
      `destination grid only has ${String(manager.grid.resolutions.length)} levels`,
      'SEED_INVALID_OPTION',
    );

  // 2. one seed task over the coverage (default: the grid's bbox)
  const coverage: CoverageConfig | undefined =
    options.coverage === undefined
      ? undefined
      : {
          datasource: /^[-+\d.eE]+(,[-+\d.eE]+){3}$/.test(options.coverage.replace(/\s/g, ''))
            ? (options.coverage.split(',').map(Number) as [number, number, number, number])
            : resolve(cwd, options.coverage),
          srs: options.srs === undefined ? manager.grid.srs.code : normalizeSrs(options.srs),
          ...(options.where === undefined ? {} : { where: options.where }),
        };
  const seedConfig: SeedConfig = {
    seeds: {
      [EXPORT_CACHE]: {
        caches: [EXPORT_CACHE],
        grids: [gridName],
        levels: [...levels],
        ...(coverage === undefined ? {} : { coverages: [EXPORT_CACHE] }),
      },
    },
    cleanups: {},
    coverages: coverage === undefined ? {} : { [EXPORT_CACHE]: coverage },
  };
  const plan = await planSeed({
    seedConfig,
    caches: runtime.caches,
    coverage: () =>
      coverage === undefined
        ? null
        : seedingCoverage(coverage, (path, message, { cause }) => {
            const flag = path[0] === 'srs' ? '--srs' : '--coverage';
            return new SeedError(`${flag}: ${message}`, 'SEED_COVERAGE', { cause });
          }),
    nowMs: now(),
  });
  const task = plan.seeds[0];
  if (task === undefined)
    throw new SeedError(skippedTaskNotes(plan).join('\n') || 'nothing to export', 'SEED_COVERAGE');

  // 3. MapProxy prints the warning and the task before it starts
  const onEvent = options.onEvent ?? (() => undefined);
  const summary = formatExport(task, customGrid !== null, options.dest);
  const incompatibleGrids =
    manager.rescalesTiles || runtime.caches.get(options.source)?.has(gridName) !== true;
  if (incompatibleGrids)
    onEvent({
      type: 'note',
      message: 'WARN: grids are incompatible. needs to scale/reproject tiles for export.',
    });
  onEvent({ type: 'note', message: summary });

  // 4. seeded like any task; the source cache's tiles pass through unchanged when the grids match
  const stats = await runTask(task, {
    concurrency: Math.max(1, options.concurrency ?? 1),
    dryRun: options.dryRun ?? false,
    skipUncached: false,
    skipGeomsForLastLevels: 0,
    retries: options.retries ?? 5,
    retryDelayMs: options.retryDelayMs ?? 1000,
    store: null,
    progressIntervalMs: 1000,
    signal: options.signal,
    sourcesSeeding: options.fetchMissingTiles === true,
    onEvent,
    now,
  });
  return { summary, incompatibleGrids, stats };
}

/** `--srs 4326` as MapProxy's SRS() takes it: a bare number is an EPSG code. */
function normalizeSrs(srs: string): string {
  return /^\d+$/.test(srs) ? `EPSG:${srs}` : srs;
}

/** MapProxy `format_export_task`. */
function formatExport(task: PlannedTask, customGrid: boolean, dest: string): string {
  const grid = customGrid ? 'custom grid' : `grid '${task.gridName}'`;
  const lines = [`Exporting cache 'cache' to '${dest}' with ${grid} in ${task.manager.grid.srs.code}`];
  // MapProxy: the grid's bbox when no --coverage was given
  const ll = task.coverage.extent(getSrs('EPSG:4326'));
  lines.push(`  Limited to: ${ll.map((v) => v.toFixed(5)).join(', ')} (EPSG:4326)`);
  lines.push(`  Levels: [${task.levels.join(', ')}]`);
  return lines.join('\n');
}
