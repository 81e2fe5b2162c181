/**
 * `mapproxy-util grids`: which grids a configuration has, their configuration (defaults marked)
 * and per-level resolutions and tile counts, as MapProxy 1.15 `script/grids.py` computes them.
 */
// app's grid and coverage builders directly: app/index.js would bring every cache, source and service
// (sharp, redis, sqlite), none of which `grids` touches
import { buildGrids } from '../app/build-grids.js';
import { seedConfigCoverage } from '../app/coverage-from-config.js';
import {
  loadConfig,
  loadSeedConfig,
  type ConfigWarning,
  type Env,
  type LoadedConfig,
  type LoadedSeedConfig,
} from '../config/index.js';
import type { Coverage, TileGrid } from '../grid/index.js';
import { PyInt, type PyValue } from '../util/index.js';
import { coverageAreaRatio } from './coverage-ratio.js';
import { ToolsError } from './errors.js';
import { GridConfState } from './grid-conf-state.js';
import { readGridConfs } from './grid-conf-values.js';
import { intResolutions } from './resolution-kinds.js';

/** Options of `describeGrids`, mirroring the `mapproxy-util grids` flags. */
export interface DescribeGridsOptions {
  /** The mapproxy.yaml. */
  readonly configFile: string;
  /** `-g`: only this grid (matched ignoring case). */
  readonly gridName?: string | undefined;
  /** `--all`: every grid, not only those some cache uses. */
  readonly all?: boolean | undefined;
  /** `-l`: names only. */
  readonly listOnly?: boolean | undefined;
  /** `-s`: the seed.yaml that defines `coverageName`; both or neither must be given. */
  readonly seedFile?: string | undefined;
  /** `-c`: a coverage of `seedFile`; adds approximate tile counts within it. */
  readonly coverageName?: string | undefined;
  /** Variables for `$VAR` expansion; defaults to `process.env`. */
  readonly env?: Env | undefined;
}

/** One `key: value` line of a grid's configuration; `isDefault` lines print as `key*`. */
export interface GridConfEntry {
  readonly key: string;
  readonly value: PyValue;
  readonly isDefault: boolean;
}

/** One level: resolution in grid SRS units per pixel (a `PyInt` where MapProxy keeps an int). */
export interface GridLevel {
  readonly resolution: number | PyInt;
  /** Tile columns and rows of the level. */
  readonly tilesX: number;
  readonly tilesY: number;
}

/** Everything `grids` prints about one grid. */
export interface GridDescription {
  readonly name: string;
  /** Sorted by key, `name` left out. */
  readonly configuration: readonly GridConfEntry[];
  readonly levels: readonly GridLevel[];
  /** Coverage area / grid bbox area, or null without a coverage. */
  readonly coverageRatio: number | null;
}

/** The result of `describeGrids`: grid names (`listOnly`) or full descriptions, sorted by name. */
export type GridsReport =
  | { readonly kind: 'list'; readonly names: readonly string[]; readonly warnings: readonly ConfigWarning[] }
  | {
      readonly kind: 'grids';
      readonly grids: readonly GridDescription[];
      readonly coverageName: string | null;
      readonly warnings: readonly ConfigWarning[];
    };

/**
 * Loads the configuration and describes its grids like `mapproxy-util grids`. Without `all` or
 * `gridName` only the grids of caches are included. Throws `ConfigErrors` (file missing or invalid),
 * `ConfigError` (a grid cannot be built), `ToolsError` `TOOLS_UNKNOWN_GRID` (with the lower-cased name
 * in the message), `TOOLS_OPTION_CONFLICT` (only one of seedFile/coverageName),
 * `TOOLS_UNKNOWN_COVERAGE` or `TOOLS_EMPTY_COVERAGE`, and `ConfigError` for a coverage that cannot
 * be read.
 */
export async function describeGrids(options: DescribeGridsOptions): Promise<GridsReport> {
  const loaded = await loadConfig(options.configFile, { env: options.env, gridsOnly: true });
  const warnings: ConfigWarning[] = [...loaded.warnings];
  const state = new GridConfState(await readGridConfs(loaded), loaded.config.globals.grid.tile_size);

  // 1. which grids: all, or those of the caches; `-g` matches lower-cased names (grids.py)
  let names = options.all === true || options.gridName !== undefined ? state.names() : cacheGridNames(loaded);
  let selected = names;
  const wanted = options.gridName?.toLowerCase();
  if (wanted !== undefined) {
    const byLowerName = new Map(names.map((name) => [name.toLowerCase(), name]));
    const match = byLowerName.get(wanted);
    if (match === undefined) throw new ToolsError(`grid not found: ${wanted}`, 'TOOLS_UNKNOWN_GRID');
    names = [...byLowerName.keys()];
    selected = [match];
  }

  // 2. a coverage needs both -s and -c; loading the seed config builds every grid (seed/config.py)
  if ((options.seedFile === undefined) !== (options.coverageName === undefined)) {
    throw new ToolsError('--coverage and --seed-conf can only be used together', 'TOOLS_OPTION_CONFLICT');
  }
  let coverage: { readonly name: string; readonly area: Coverage } | null = null;
  if (options.seedFile !== undefined && options.coverageName !== undefined) {
    const seed = await loadSeedConfig(options.seedFile, loaded, { env: options.env, gridsOnly: true });
    warnings.push(...seed.warnings);
    coverage = { name: options.coverageName, area: seedCoverage(seed, options.coverageName) };
    state.buildAll();
  }

  if (options.listOnly === true) return { kind: 'list', names: sortedUnique(names), warnings };

  // 3. describe in name order; each grid's conf is shown as it was before building it
  const tileGrids = buildGrids(loaded);
  const grids = sortedUnique(selected).map((name): GridDescription => {
    const shown = { ...state.conf(name) };
    state.build(name);
    const grid = tileGrids.get(name);
    if (grid === undefined) throw new ToolsError(`grid not found: ${name}`, 'TOOLS_UNKNOWN_GRID');
    const ints = intResolutions(state.conf(name), (other) => state.conf(other));
    return {
      name: typeof shown.name === 'string' ? shown.name : name,
      configuration: confEntries(shown, grid),
      levels: grid.resolutions.map((res, level) => ({
        resolution: ints.has(res) && Number.isInteger(res) ? new PyInt(res) : res,
        tilesX: grid.gridSizes[level]?.[0] ?? 0,
        tilesY: grid.gridSizes[level]?.[1] ?? 0,
      })),
      coverageRatio: coverage === null ? null : coverageAreaRatio(coverage.area, grid),
    };
  });
  return { kind: 'grids', grids, coverageName: coverage?.name ?? null, warnings };
}

/** grids.py `display_grid`: the conf dict plus `tile_size*`, `bbox*`, `origin*` where not set. */
function confEntries(shown: Readonly<Record<string, PyValue>>, grid: TileGrid): GridConfEntry[] {
  const entries: GridConfEntry[] = Object.entries(shown)
    .filter(([key]) => key !== 'name')
    .map(([key, value]) => ({ key, value, isDefault: false }));
  if (!('tile_size' in shown)) {
    entries.push({ key: 'tile_size', value: grid.tileSize.map(toPyNumber), isDefault: true });
  }
  if (!('bbox' in shown)) entries.push({ key: 'bbox', value: [...grid.bbox], isDefault: true });
  if (!('origin' in shown)) entries.push({ key: 'origin', value: grid.origin, isDefault: true });
  // Python sorts the printed keys, where `bbox*` sorts before `bbox_srs`
  const sortKey = (entry: GridConfEntry): string => entry.key + (entry.isDefault ? '*' : '');
  return entries.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
}

function toPyNumber(value: number): number | PyInt {
  return Number.isInteger(value) ? new PyInt(value) : value;
}

/** loader.py `CacheConfiguration.grid_confs`: every grid a cache names (default GLOBAL_MERCATOR). */
function cacheGridNames(loaded: LoadedConfig): string[] {
  return Object.values(loaded.config.caches).flatMap((cache) => cache.grids);
}

/**
 * seed/config.py `SeedingConfiguration.coverage`: the seed.yaml coverage `name`, read as `seed`
 * reads it (any coverage form; a broken one is a `ConfigError` at its seed.yaml key).
 */
function seedCoverage(seed: LoadedSeedConfig, name: string): Coverage {
  const { coverages } = seed.config;
  if (!Object.hasOwn(coverages, name)) {
    throw new ToolsError(
      `coverage ${name} not found. available coverages: ${Object.keys(coverages).join(',')}`,
      'TOOLS_UNKNOWN_COVERAGE',
    );
  }
  const coverage = seedConfigCoverage(seed, name);
  // MapProxy raises EmptyCoverageError here (uncaught: a traceback)
  if (coverage === null)
    throw new ToolsError(`coverage '${name}' contains no geometries.`, 'TOOLS_EMPTY_COVERAGE');
  return coverage;
}

/** Python `sorted()` on str: by code point. */
function sortedUnique(names: readonly string[]): string[] {
  return [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
