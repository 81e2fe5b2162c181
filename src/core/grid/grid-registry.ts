/**
 * Builds all named grids of a configuration: the three defaults plus user grids, with `base:`
 * inheritance and `align_resolutions_with` references resolved (MapProxy `GridConfiguration`).
 */
import type { Size } from '../util/index.js';
import { DEFAULT_GRIDS } from './default-grids.js';
import { GridError } from './errors.js';
import { createTileGrid, type GridOptions, type TileGrid } from './tile-grid.js';

/** One `grids.<name>` entry: the grid options plus `base` and a named `alignResolutionsWith`. */
export type GridSpec = Omit<GridOptions, 'alignResolutionsWith'> & {
  readonly base?: string | undefined;
  readonly alignResolutionsWith?: string | undefined;
};

/** Values from `globals` that apply to every grid without its own setting. */
export interface GridDefaults {
  /** `globals.grid.tile_size`; default `[256, 256]`. */
  readonly tileSize?: Size | undefined;
  /** `globals.image.stretch_factor`; default 1.15. */
  readonly stretchFactor?: number | undefined;
  /** `globals.image.max_shrink_factor`; default 4.0. */
  readonly maxShrinkFactor?: number | undefined;
}

/**
 * Builds every grid of `specs` plus `GLOBAL_GEODETIC`, `GLOBAL_MERCATOR` and `GLOBAL_WEBMERCATOR`
 * (a user grid with one of those names replaces the default). A grid's `name` defaults to its key
 * and is never inherited. `base` merges the base grid's (resolved) keys under the grid's own keys,
 * `res` and `bbox` included; chains are followed. Throws `GridError` carrying `gridName` and `key`
 * (`GRID_UNKNOWN_BASE`, `GRID_BASE_CYCLE`, `GRID_UNKNOWN_GRID`, or any `createTileGrid` failure).
 */
export function buildGridRegistry(
  specs: Readonly<Record<string, GridSpec>>,
  defaults: GridDefaults = {},
): Map<string, TileGrid> {
  const all: Record<string, GridSpec> = { ...DEFAULT_GRIDS, ...specs };
  const merged = new Map<string, GridSpec>();
  const grids = new Map<string, TileGrid>();

  const resolveSpec = (name: string, chain: readonly string[]): GridSpec => {
    const done = merged.get(name);
    if (done !== undefined) return done;
    const own = all[name];
    if (own === undefined)
      throw new GridError(`unknown grid ${name}`, 'GRID_UNKNOWN_GRID', { gridName: name });
    const { base, ...ownKeys } = own;
    let spec: GridSpec = { ...ownKeys, name: own.name ?? name };
    if (base !== undefined) {
      if (chain.includes(base) || base === name) {
        throw new GridError(
          `base cycle for grid ${name}: ${[...chain, name, base].join(' -> ')}`,
          'GRID_BASE_CYCLE',
          {
            gridName: name,
            key: 'base',
          },
        );
      }
      if (all[base] === undefined) {
        throw new GridError(`unknown base ${base} for grid ${name}`, 'GRID_UNKNOWN_BASE', {
          gridName: name,
          key: 'base',
        });
      }
      // MapProxy: conf = base.conf.copy(); conf.update(own): every key is inherited, res and bbox too;
      // a key present but undefined here does not erase the base's value
      spec = { ...resolveSpec(base, [...chain, name]), ...definedKeys(ownKeys), name: spec.name };
    }
    merged.set(name, spec);
    return spec;
  };

  const build = (name: string, chain: readonly string[]): TileGrid => {
    const done = grids.get(name);
    if (done !== undefined) return done;
    const spec = resolveSpec(name, []);
    let alignWith: TileGrid | undefined;
    if (spec.alignResolutionsWith !== undefined) {
      const other = spec.alignResolutionsWith;
      if (chain.includes(other) || other === name) {
        throw new GridError(`align_resolutions_with cycle for grid ${name}`, 'GRID_BASE_CYCLE', {
          gridName: name,
          key: 'align_resolutions_with',
        });
      }
      if (all[other] === undefined) {
        throw new GridError(
          `unknown grid ${other} in align_resolutions_with of grid ${name}`,
          'GRID_UNKNOWN_GRID',
          {
            gridName: name,
            key: 'align_resolutions_with',
          },
        );
      }
      alignWith = build(other, [...chain, name]);
    }
    const grid = createNamed(name, {
      ...spec,
      tileSize: spec.tileSize ?? defaults.tileSize,
      stretchFactor: spec.stretchFactor ?? defaults.stretchFactor,
      maxShrinkFactor: spec.maxShrinkFactor ?? defaults.maxShrinkFactor,
      alignResolutionsWith: alignWith,
    });
    grids.set(name, grid);
    return grid;
  };

  for (const name of Object.keys(all)) build(name, []);
  return grids;
}

function definedKeys<T extends object>(spec: T): Partial<T> {
  return Object.fromEntries(Object.entries(spec).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function createNamed(name: string, options: GridOptions): TileGrid {
  try {
    return createTileGrid(options);
  } catch (error) {
    if (error instanceof GridError) {
      throw new GridError(`grid ${name}: ${error.message}`, error.code, {
        cause: error,
        gridName: name,
        key: error.key,
      });
    }
    throw error;
  }
}
