/**
 * Public tile addresses -> the grid's own `TileCoord` (MapProxy `TileServiceGrid.internal_tile_coord`
 * and `TileLayer._internal_tile_coord`): TMS profile level offsets, sqrt2 level skipping, origin flips.
 */
import { flipTileCoord, limitTile, type TileCoord, type TileGrid, type TmsGridInfo } from '../grid/index.js';

/** The origin a request counts rows from: `sw` (TMS, KML), `nw` (WMTS, XYZ), or the grid's own (null). */
export type RequestOrigin = 'sw' | 'nw' | null;

export interface TileAddressOptions {
  /** Apply the TMS profile (global profiles hide the first level); only `/tms` does. */
  readonly useProfiles: boolean;
  readonly origin: RequestOrigin;
}

/**
 * The internal coordinate of public tile `external`, or null when it is not a tile of the grid.
 * `z` is the public level: +1 for global TMS profiles, doubled for sqrt2 grids (MapProxy).
 */
export function internalTileCoord(
  grid: TileGrid,
  info: TmsGridInfo,
  external: TileCoord,
  options: TileAddressOptions,
): TileCoord | null {
  let z = external.z;
  if (z < 0) return null;
  if (options.useProfiles && info.skipFirstLevel) z += 1;
  if (info.skipOddLevel) z *= 2;
  const coord = limitTile(grid, { x: external.x, y: external.y, z });
  if (coord === null) return null;
  if (options.origin === 'nw' && grid.origin !== 'ul') return flipTileCoord(grid, coord);
  if (options.origin === 'sw' && grid.origin !== 'll') return flipTileCoord(grid, coord);
  return coord;
}

/** MapProxy `external_tile_coord`: the public level of an internal coordinate (x/y unchanged). */
export function externalTileCoord(info: TmsGridInfo, internal: TileCoord, useProfiles: boolean): TileCoord {
  let z = internal.z;
  if (useProfiles && info.skipFirstLevel) z -= 1;
  if (info.skipOddLevel) z = Math.floor(z / 2);
  return { x: internal.x, y: internal.y, z };
}
