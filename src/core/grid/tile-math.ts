/**
 * Tile <-> map coordinates on a `TileGrid` (MapProxy `TileGrid.tile`, `tile_bbox`, `limit_tile`,
 * `flip_tile_coord`, `supports_access_with_origin`). Coordinates use the grid's own origin.
 */
import type { BBox, Size } from '../util/index.js';
import { GridError } from './errors.js';
import { pyRound } from './py-math.js';
import { parseOrigin, type OriginName, type TileGrid } from './tile-grid.js';

/** Internal tile address; `y` counts from the grid's own origin (bottom row for `ll`, top for `ul`). */
export interface TileCoord {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** Map units per pixel of level `z`. Throws `GridError` (`GRID_INVALID_LEVEL`) when `z` is not a level. */
export function resolution(grid: TileGrid, z: number): number {
  const res = grid.resolutions[z];
  if (res === undefined) throw new GridError(`level ${z} is not in the grid`, 'GRID_INVALID_LEVEL');
  return res;
}

/** `[columns, rows]` of level `z`. Throws `GridError` when `z` is not a level. */
export function levelGridSize(grid: TileGrid, z: number): Size {
  const size = grid.gridSizes[z];
  if (size === undefined) throw new GridError(`level ${z} is not in the grid`, 'GRID_INVALID_LEVEL');
  return size;
}

/** Number of tiles of level `z` (columns * rows). Throws `GridError` when `z` is not a level. */
export function tileCount(grid: TileGrid, z: number): number {
  const [columns, rows] = levelGridSize(grid, z);
  return columns * rows;
}

/**
 * The tile of level `z` that contains map point (`x`, `y`) in the grid SRS. Not limited to the
 * grid: points outside give negative or too-large indices (use `limitTile`).
 */
export function tileCoordAt(grid: TileGrid, x: number, y: number, z: number): TileCoord {
  const res = resolution(grid, z);
  const dx = x - grid.bbox[0];
  const dy = grid.origin === 'ul' ? grid.bbox[3] - y : y - grid.bbox[1];
  return { x: Math.floor(dx / (res * grid.tileSize[0])), y: Math.floor(dy / (res * grid.tileSize[1])), z };
}

/**
 * Extent of one tile in the grid SRS, computed as MapProxy does (offsets rounded to 12 decimals),
 * so bboxes sent upstream match MapProxy's to the bit. With `limit`, clipped to the grid bbox.
 * Throws `GridError` when `z` is not a level of `grid`.
 */
export function tileBBox(grid: TileGrid, coord: TileCoord, limit = false): BBox {
  const res = resolution(grid, coord.z);
  const [w, h] = grid.tileSize;
  const x0 = grid.bbox[0] + pyRound(coord.x * res * w, 12);
  const x1 = x0 + pyRound(res * w, 12);
  let y0: number;
  let y1: number;
  if (grid.origin === 'ul') {
    y1 = grid.bbox[3] - pyRound(coord.y * res * h, 12);
    y0 = y1 - pyRound(res * h, 12);
  } else {
    y0 = grid.bbox[1] + pyRound(coord.y * res * h, 12);
    y1 = y0 + pyRound(res * h, 12);
  }
  if (!limit) return [x0, y0, x1, y1];
  return [
    Math.max(x0, grid.bbox[0]),
    Math.max(y0, grid.bbox[1]),
    Math.min(x1, grid.bbox[2]),
    Math.min(y1, grid.bbox[3]),
  ];
}

/** The bbox spanned by tiles `first` and `last` (any two corners of a range). */
export function tilesBBox(grid: TileGrid, first: TileCoord, last: TileCoord): BBox {
  const a = tileBBox(grid, first);
  const b = tileBBox(grid, last);
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

/** `coord` when it is a tile of the grid (level exists, x/y within the level's size), else null. */
export function limitTile(grid: TileGrid, coord: TileCoord): TileCoord | null {
  const size = grid.gridSizes[coord.z];
  if (size === undefined || !Number.isInteger(coord.x) || !Number.isInteger(coord.y)) return null;
  if (coord.x < 0 || coord.y < 0 || coord.x >= size[0] || coord.y >= size[1]) return null;
  return coord;
}

/**
 * Mirrors `y` within its level (`rows - 1 - y`): converts between bottom-left (TMS) and top-left
 * (WMTS/XYZ) numbering. Only exact when `supportsAccessWithOrigin` holds for the other origin.
 * Throws `GridError` when `z` is not a level.
 */
export function flipTileCoord(grid: TileGrid, coord: TileCoord): TileCoord {
  return { x: coord.x, y: levelGridSize(grid, coord.z)[1] - 1 - coord.y, z: coord.z };
}

/**
 * True when tiles can be addressed from `origin` without shifting: the grid already has that
 * origin, or every level's tile rows start and end exactly at the grid bbox (1e-12 relative).
 * WMTS (top-left) publishes only grids for which `supportsAccessWithOrigin(grid, 'ul')` holds.
 */
export function supportsAccessWithOrigin(grid: TileGrid, origin: OriginName): boolean {
  if (parseOrigin(origin) === grid.origin) return true;
  // MapProxy: allow for rounding errors in the _tiles_bbox calculations
  const delta = Math.max(Math.abs(grid.bbox[1]), Math.abs(grid.bbox[3])) / 1e12;
  return grid.gridSizes.every(([columns, rows], z) => {
    const levelBBox = tilesBBox(grid, { x: 0, y: 0, z }, { x: columns - 1, y: rows - 1, z });
    return Math.abs(grid.bbox[1] - levelBBox[1]) <= delta && Math.abs(grid.bbox[3] - levelBBox[3]) <= delta;
  });
}

/**
 * The internal coordinate of the first tile (0, 0) of level `z` as seen from `origin`. Throws
 * `GridError` (`GRID_INVALID_OPTION`) when the grid cannot be addressed from that origin.
 */
export function originTile(grid: TileGrid, z: number, origin: OriginName): TileCoord {
  if (!supportsAccessWithOrigin(grid, origin)) {
    throw new GridError(
      `grid ${grid.name ?? ''} cannot be addressed with origin ${origin}`,
      'GRID_INVALID_OPTION',
    );
  }
  const tile = { x: 0, y: 0, z };
  return parseOrigin(origin) === grid.origin ? tile : flipTileCoord(grid, tile);
}
