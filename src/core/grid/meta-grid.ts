/**
 * Metatiles: blocks of `metaSize` tiles requested from a source in one image, plus a pixel buffer
 * (MapProxy `grid.py` `MetaGrid`). Buffers and blocks are clipped at the grid bounds.
 */
import type { BBox, Size } from '../util/index.js';
import { tileBlock, type AffectedTiles } from './affected-tiles.js';
import { GridError } from './errors.js';
import { pyRound, pyRoundInt } from './py-math.js';
import { levelGridSize, resolution, tileCoordAt, tilesBBox, type TileCoord } from './tile-math.js';
import type { TileGrid } from './tile-grid.js';

/** A grid cut into metatiles of `metaSize` tiles with `metaBuffer` extra pixels on each side. */
export interface MetaGrid {
  readonly grid: TileGrid;
  /** `[columns, rows]` of tiles per metatile (`meta_size`, default [4, 4]). */
  readonly metaSize: Size;
  /** Pixels added around each metatile (`meta_buffer`, default 80). */
  readonly metaBuffer: number;
}

/** One tile inside a metatile image and the pixel position of its upper-left corner there. */
export interface TilePattern {
  /** null where the metatile extends past the grid (only with `minimalMetaTile` ranges). */
  readonly coord: TileCoord | null;
  /** `[x, y]` pixel offset in the metatile image, y downwards. */
  readonly offset: readonly [x: number, y: number];
}

/** What to request from a source for a metatile, and how to cut it. */
export interface MetaTile {
  /** Extent of the request in the grid SRS, buffer included, clipped to the grid bbox. */
  readonly bbox: BBox;
  /** Pixel size of the request; smaller than `metaSize * tileSize + 2 * buffer` at the grid edges. */
  readonly size: Size;
  /** `[columns, rows]` of tiles in the image. */
  readonly gridSize: Size;
  /** Every tile of the image, row by row from the top. */
  readonly tilePatterns: readonly TilePattern[];
  /** The first tile in the image; the lock and single-flight key of the metatile. */
  readonly mainTile: TileCoord;
}

/** A metagrid over `grid`. Throws `GridError` (`GRID_INVALID_OPTION`) for sizes below 1 or a negative buffer. */
export function createMetaGrid(grid: TileGrid, metaSize: Size = [4, 4], metaBuffer = 80): MetaGrid {
  if (!(
    metaSize[0] >= 1 &&
    metaSize[1] >= 1 &&
    Number.isInteger(metaSize[0]) &&
    Number.isInteger(metaSize[1])
  )) {
    throw new GridError(`invalid meta_size ${metaSize.join('x')}`, 'GRID_INVALID_OPTION', {
      key: 'meta_size',
    });
  }
  if (!(metaBuffer >= 0 && Number.isInteger(metaBuffer))) {
    throw new GridError(`invalid meta_buffer ${metaBuffer}`, 'GRID_INVALID_OPTION', { key: 'meta_buffer' });
  }
  return Object.freeze({ grid, metaSize, metaBuffer });
}

/** The metatile size on level `z`: `metaSize` capped at the level's tile columns/rows. */
export function levelMetaSize(meta: MetaGrid, z: number): Size {
  const [columns, rows] = levelGridSize(meta.grid, z);
  return [Math.min(meta.metaSize[0], columns), Math.min(meta.metaSize[1], rows)];
}

/** The first tile of the metatile containing `coord` (both in the grid's own origin). */
export function mainTile(meta: MetaGrid, coord: TileCoord): TileCoord {
  const [mx, my] = levelMetaSize(meta, coord.z);
  return { x: Math.floor(coord.x / mx) * mx, y: Math.floor(coord.y / my) * my, z: coord.z };
}

/** The tiles of the metatile containing `coord`, top row first; positions outside the grid are null. */
export function metaTileCoords(meta: MetaGrid, coord: TileCoord): (TileCoord | null)[] {
  return metaTileList(meta, mainTile(meta, coord), levelMetaSize(meta, coord.z));
}

/**
 * The metatile that contains `coord`: its buffered, grid-clipped bbox, its pixel size and where
 * each tile sits in the image. E.g. GLOBAL_GEODETIC level 0 with 4x4/80 is one 256x128 image.
 */
export function metaTile(meta: MetaGrid, coord: TileCoord): MetaTile {
  const main = mainTile(meta, coord);
  const gridSize = levelMetaSize(meta, main.z);
  const unbuffered = tilesBBox(meta.grid, main, {
    x: main.x + gridSize[0] - 1,
    y: main.y + gridSize[1] - 1,
    z: main.z,
  });
  const { bbox, buffers } = bufferedBBox(meta, unbuffered, main.z);
  const tiles = metaTileList(meta, main, gridSize);
  return {
    bbox,
    size: sizeOf(meta, bbox, main.z),
    gridSize,
    tilePatterns: tilePatterns(meta, tiles, gridSize, buffers),
    mainTile: firstTile(tiles) ?? main,
  };
}

/**
 * A metatile holding exactly the bounding range of `tiles` (all on one level) plus the buffer:
 * MapProxy's `minimize_meta_requests`. Throws `GridError` (`GRID_INVALID_OPTION`) for an empty list.
 */
export function minimalMetaTile(meta: MetaGrid, tiles: readonly TileCoord[]): MetaTile {
  const first = tiles[0];
  if (first === undefined)
    throw new GridError('minimalMetaTile needs at least one tile', 'GRID_INVALID_OPTION');
  const z = first.z;
  const minx = Math.min(...tiles.map((t) => t.x));
  const maxx = Math.max(...tiles.map((t) => t.x));
  const miny = Math.min(...tiles.map((t) => t.y));
  const maxy = Math.max(...tiles.map((t) => t.y));
  const gridSize: Size = [1 + maxx - minx, 1 + maxy - miny];
  // MapProxy _full_tile_list limits the list by (maxx+1, maxy+1), i.e. keeps every position
  const list = rangeList(meta.grid, [minx, miny, maxx, maxy], z, [maxx + 1, maxy + 1]);
  const unbuffered = tilesBBox(meta.grid, { x: minx, y: miny, z }, { x: maxx, y: maxy, z });
  const { bbox, buffers } = bufferedBBox(meta, unbuffered, z);
  return {
    bbox,
    size: sizeOf(meta, bbox, z),
    gridSize,
    tilePatterns: tilePatterns(meta, list, gridSize, buffers),
    mainTile: firstTile(list) ?? first,
  };
}

/**
 * The metatiles touched by `bbox` (grid SRS) on `level`: their main tiles row by row from the top
 * (null outside the grid) and the extent MapProxy reports for them (its `MetaGrid`
 * `get_affected_level_tiles`, used by seeding). Throws `GridError` for an inverted bbox.
 */
export function affectedMetaTiles(meta: MetaGrid, bbox: BBox, level: number): AffectedTiles {
  const delta = resolution(meta.grid, level) / 10;
  const a = tileCoordAt(meta.grid, bbox[0] + delta, bbox[1] + delta, level);
  const b = tileCoordAt(meta.grid, bbox[2] - delta, bbox[3] - delta, level);
  const [mx, my] = levelMetaSize(meta, level);
  const snap = (v: number, m: number): number => Math.floor(v / m) * m;
  return tileBlock(meta.grid, level, [snap(a.x, mx), snap(a.y, my), snap(b.x, mx), snap(b.y, my)], [mx, my]);
}

function metaTileList(meta: MetaGrid, main: TileCoord, gridSize: Size): (TileCoord | null)[] {
  const range = [main.x, main.y, main.x + gridSize[0] - 1, main.y + gridSize[1] - 1] as const;
  return rangeList(meta.grid, range, main.z, levelGridSize(meta.grid, main.z));
}

/** Tiles of an inclusive x/y range, top row first, null outside `limit` `[columns, rows]`. */
function rangeList(
  grid: TileGrid,
  [minx, miny, maxx, maxy]: readonly [number, number, number, number],
  z: number,
  limit: Size,
): (TileCoord | null)[] {
  const ys: number[] = [];
  if (grid.origin === 'ul') for (let y = miny; y <= maxy; y++) ys.push(y);
  else for (let y = maxy; y >= miny; y--) ys.push(y);
  const list: (TileCoord | null)[] = [];
  for (const y of ys) {
    for (let x = minx; x <= maxx; x++) {
      list.push(x < 0 || y < 0 || x >= limit[0] || y >= limit[1] ? null : { x, y, z });
    }
  }
  return list;
}

/** Adds the buffer and clips it at the grid bbox; `buffers` are the pixels kept per side [l, b, r, t]. */
function bufferedBBox(meta: MetaGrid, bbox: BBox, z: number): { bbox: BBox; buffers: readonly number[] } {
  let [minx, miny, maxx, maxy] = bbox;
  if (meta.metaBuffer <= 0) return { bbox, buffers: [0, 0, 0, 0] };
  const res = resolution(meta.grid, z);
  const buffer = meta.metaBuffer;
  minx -= buffer * res;
  miny -= buffer * res;
  maxx += buffer * res;
  maxy += buffer * res;
  const buffers = [buffer, buffer, buffer, buffer];
  const [gx0, gy0, gx1, gy1] = meta.grid.bbox;
  // MapProxy: buffers[i] - int(round(delta / res, 5)); int() truncates towards zero
  const cut = (delta: number): number => Math.trunc(pyRound(delta / res, 5));
  if (gx0 > minx) {
    buffers[0] = buffer - cut(gx0 - minx);
    minx = gx0;
  }
  if (gy0 > miny) {
    buffers[1] = buffer - cut(gy0 - miny);
    miny = gy0;
  }
  if (gx1 < maxx) {
    buffers[2] = buffer - cut(maxx - gx1);
    maxx = gx1;
  }
  if (gy1 < maxy) {
    buffers[3] = buffer - cut(maxy - gy1);
    maxy = gy1;
  }
  return { bbox: [minx, miny, maxx, maxy], buffers };
}

/** Pixel size from the (possibly clipped) bbox: `round(width / res)`, Python rounding (half to even). */
function sizeOf(meta: MetaGrid, bbox: BBox, z: number): Size {
  const res = resolution(meta.grid, z);
  return [pyRoundInt((bbox[2] - bbox[0]) / res), pyRoundInt((bbox[3] - bbox[1]) / res)];
}

function tilePatterns(
  meta: MetaGrid,
  tiles: readonly (TileCoord | null)[],
  gridSize: Size,
  buffers: readonly number[],
): TilePattern[] {
  const [w, h] = meta.grid.tileSize;
  const left = buffers[0] ?? 0;
  const top = buffers[3] ?? 0;
  const patterns: TilePattern[] = [];
  for (let row = 0; row < gridSize[1]; row++) {
    for (let col = 0; col < gridSize[0]; col++) {
      patterns.push({
        coord: tiles[col + row * gridSize[0]] ?? null,
        offset: [col * w + left, row * h + top],
      });
    }
  }
  return patterns;
}

function firstTile(tiles: readonly (TileCoord | null)[]): TileCoord | null {
  return tiles.find((t): t is TileCoord => t !== null) ?? null;
}
