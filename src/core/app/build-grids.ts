/**
 * Composition of the grids of a loaded configuration: `grids.<name>` (snake_case YAML) becomes
 * grid-module options, and a `GridError` becomes a `ConfigError` pointing at the YAML that caused it.
 */
import { configErrorAt, type ConfigPath, type GridConfig, type LoadedConfig } from '../config/index.js';
import {
  buildGridRegistry,
  GridError,
  type GridDefaults,
  type GridSpec,
  type OriginName,
  type TileGrid,
} from '../grid/index.js';
import type { Size } from '../util/index.js';

/**
 * Builds every grid of `loaded` (the three `GLOBAL_*` defaults plus the user grids, `base` and
 * `align_resolutions_with` resolved), keyed by grid name.
 * Throws `ConfigError` positioned at `grids.<name>.<key>` when a grid cannot be built.
 */
export function buildGrids(loaded: LoadedConfig): Map<string, TileGrid> {
  const specs: Record<string, GridSpec> = {};
  for (const [name, grid] of Object.entries(loaded.config.grids)) specs[name] = gridSpec(grid);
  const { globals } = loaded.config;
  const defaults: GridDefaults = {
    tileSize: toSize(globals.grid.tile_size),
    stretchFactor: globals.image.stretch_factor,
    maxShrinkFactor: globals.image.max_shrink_factor,
  };
  try {
    return buildGridRegistry(specs, defaults);
  } catch (error) {
    if (!(error instanceof GridError)) throw error;
    throw configErrorAt(loaded, gridErrorPath(loaded, error), error.message, 'CONFIG_INVALID_VALUE', {
      cause: error,
    });
  }
}

/** `grids.<name>.<key>` for a user grid; the whole `grids` section for a default grid. */
function gridErrorPath(loaded: LoadedConfig, error: GridError): ConfigPath {
  const name = error.gridName;
  if (name === undefined || !(name in loaded.config.grids)) return ['grids'];
  return error.key === undefined ? ['grids', name] : ['grids', name, error.key];
}

/** YAML keys to grid options; `createTileGrid` validates the values. */
function gridSpec(grid: GridConfig): GridSpec {
  return {
    name: grid.name,
    srs: grid.srs,
    bbox: grid.bbox,
    bboxSrs: grid.bbox_srs,
    res: grid.res,
    resFactor: grid.res_factor,
    numLevels: grid.num_levels,
    minRes: grid.min_res,
    maxRes: grid.max_res,
    tileSize: grid.tile_size === undefined ? undefined : toSize(grid.tile_size),
    // createTileGrid rejects unknown spellings with a GridError keyed `origin`
    origin: grid.origin as OriginName | undefined,
    base: grid.base,
    thresholdRes: grid.threshold_res,
    stretchFactor: grid.stretch_factor,
    maxShrinkFactor: grid.max_shrink_factor,
    alignResolutionsWith: grid.align_resolutions_with,
  };
}

function toSize(values: readonly number[]): Size {
  return [values[0] ?? Number.NaN, values[1] ?? Number.NaN];
}
