/**
 * How TMS publishes a grid (MapProxy `service/tile.py` `TileServiceGrid`): global profiles skip the
 * first level, sqrt2 grids publish every second level.
 */
import { getSrs } from '../srs/index.js';
import type { TileGrid } from './tile-grid.js';

/** TMS 1.0.0 profile names. */
export type TmsProfile = 'global-mercator' | 'global-geodetic' | 'local';

export interface TmsGridInfo {
  readonly profile: TmsProfile;
  /** SRS as TMS shows it: `OSGEO:41001` for global-mercator, else the grid's code. */
  readonly srsName: string;
  /** Global profiles hide internal level 0 (one tile for the world). */
  readonly skipFirstLevel: boolean;
  /** True for sqrt2 grids (resolution factor exactly sqrt(2)): only every second level is public. */
  readonly skipOddLevel: boolean;
  /** Public TMS level -> internal grid level. */
  readonly internalLevel: (level: number) => number;
  /** The public tile sets: `[order, resolution]` in map units per pixel. */
  readonly tileSets: readonly (readonly [order: number, resolution: number])[];
}

const MERCATOR_EXTENT = [-20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244];
const GEODETIC_EXTENT = [-180, -90, 180, 90];

/**
 * The TMS view of `grid`. A grid with the mercator math (900913 and its aliases, as MapProxy
 * compares SRS by definition) and the world extent is `global-mercator`; EPSG:4326 with the
 * world extent is `global-geodetic`; everything else is `local`.
 */
export function tmsGridInfo(grid: TileGrid): TmsGridInfo {
  const sameBBox = (other: readonly number[]): boolean => grid.bbox.every((v, i) => v === other[i]);
  let profile: TmsProfile = 'local';
  let srsName = grid.srs.code;
  if (grid.srs.equals(getSrs(900913)) && sameBBox(MERCATOR_EXTENT)) {
    profile = 'global-mercator';
    srsName = 'OSGEO:41001';
  } else if (grid.srs.equals(getSrs(4326)) && sameBBox(GEODETIC_EXTENT)) {
    profile = 'global-geodetic';
    srsName = 'EPSG:4326';
  }
  const skipFirstLevel = profile !== 'local';
  const [res0, res1] = grid.resolutions;
  const skipOddLevel = res0 !== undefined && res1 !== undefined && res0 / res1 === Math.SQRT2;
  const internalLevel = (level: number): number => {
    let internal = level;
    if (skipFirstLevel) internal += skipOddLevel ? 2 : 1;
    return skipOddLevel ? internal * 2 : internal;
  };
  const start = skipFirstLevel ? (skipOddLevel ? 2 : 1) : 0;
  const step = skipOddLevel ? 2 : 1;
  const tileSets: (readonly [number, number])[] = [];
  for (let level = start, order = 0; level < grid.resolutions.length; level += step, order++) {
    tileSets.push([order, grid.resolutions[level] ?? NaN]);
  }
  return { profile, srsName, skipFirstLevel, skipOddLevel, internalLevel, tileSets };
}
