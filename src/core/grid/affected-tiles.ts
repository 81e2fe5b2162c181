/**
 * The tiles a map request needs (MapProxy `TileGrid.get_affected_tiles`,
 * `get_affected_bbox_and_level`, `get_affected_level_tiles`).
 */
import type { Srs } from '../srs/index.js';
import { bboxIntersects, type BBox, type Size } from '../util/index.js';
import { GridError } from './errors.js';
import { closestLevel } from './level-selection.js';
import { resolution, tileCoordAt, tilesBBox, type TileCoord } from './tile-math.js';
import type { TileGrid } from './tile-grid.js';

/**
 * The tiles covering a bbox on one level. `gridSize` and `count` cost nothing; the positions are
 * listed only when `tiles` is read or `positions()` iterated, so callers check `count` against
 * their limit first (a 1x16000000-pixel GetMap touches billions of tiles).
 */
export interface AffectedTiles {
  /** The extent of all listed tiles (in the grid SRS), usually larger than the requested bbox. */
  readonly bbox: BBox;
  /** `[columns, rows]` of the tile block. */
  readonly gridSize: Size;
  /** `columns * rows`: the number of positions, inside the grid or not (MapProxy's `num_tiles`). */
  readonly count: number;
  /**
   * The tiles row by row, top row first, left to right; null where a position lies outside the
   * grid. `tiles.length === count`. Throws `GridError` (`GRID_TOO_MANY_TILES`) above
   * `MAX_LISTED_TILES` positions.
   */
  readonly tiles: readonly (TileCoord | null)[];
  /** The same positions one at a time, without listing them (for walks over large blocks). */
  positions(): Iterable<TileCoord | null>;
}

/** The most positions `AffectedTiles.tiles` lists at once: beyond it a list would exhaust memory. */
export const MAX_LISTED_TILES = 1_000_000;

/** A request bbox in the grid SRS and the level chosen for it. */
export interface AffectedLevel {
  readonly bbox: BBox;
  readonly level: number;
}

/**
 * The grid-SRS bbox and the level for a request of `bbox` at `size` pixels. `bbox` is in `reqSrs`
 * (x/y order; default the grid SRS) and transformed first when that differs. The resolution is
 * `min(width / w, height / h)`; the level follows `closestLevel`. Returns null ("nothing here")
 * when the bbox misses the grid or the request is coarser than `resolutions[0] * maxShrinkFactor`.
 */
export function affectedLevel(grid: TileGrid, bbox: BBox, size: Size, reqSrs?: Srs): AffectedLevel | null {
  const srcBBox =
    reqSrs !== undefined && !reqSrs.equals(grid.srs) ? reqSrs.transformBBox(grid.srs, bbox) : bbox;
  if (!bboxIntersects(grid.bbox, srcBBox)) return null;
  const res = Math.min(
    Math.abs(srcBBox[2] - srcBBox[0]) / size[0],
    Math.abs(srcBBox[3] - srcBBox[1]) / size[1],
  );
  const level = closestLevel(grid, res);
  if (res > resolution(grid, 0) * grid.maxShrinkFactor) return null;
  return { bbox: srcBBox, level };
}

/**
 * All tiles of `level` touched by `bbox` (grid SRS). Tiles the bbox only touches within a tenth
 * of a pixel are left out. Throws `GridError` (`GRID_INVALID_BBOX`) for an inverted bbox and
 * (`GRID_INVALID_LEVEL`) for a level the grid does not have.
 */
export function affectedLevelTiles(grid: TileGrid, bbox: BBox, level: number): AffectedTiles {
  // MapProxy: remove 1/10 of a pixel so we don't get tiles we only touch
  const delta = resolution(grid, level) / 10;
  const a = tileCoordAt(grid, bbox[0] + delta, bbox[1] + delta, level);
  const b = tileCoordAt(grid, bbox[2] - delta, bbox[3] - delta, level);
  return tileBlock(grid, level, [a.x, a.y, b.x, b.y], [1, 1]);
}

/**
 * The tiles for a map request: `affectedLevel` then `affectedLevelTiles`. Returns null when no
 * tile applies (outside the grid, or beyond `maxShrinkFactor`); throws like `affectedLevelTiles`
 * and `SrsError` when the bbox cannot be transformed.
 */
export function affectedTiles(grid: TileGrid, bbox: BBox, size: Size, reqSrs?: Srs): AffectedTiles | null {
  const found = affectedLevel(grid, bbox, size, reqSrs);
  return found === null ? null : affectedLevelTiles(grid, found.bbox, found.level);
}

/**
 * The block of tiles from tile range `[x0, y0, x1, y1]` (y as `tileCoordAt` returns them) in steps
 * of `step` (1 for tiles, the meta size for metatiles); `bbox` covers `step` tiles per position.
 * Shared with the metagrid (MapProxy `_tile_iter`). Counts without listing; throws `GridError`
 * (`GRID_INVALID_BBOX`) for an empty or non-finite range.
 */
export function tileBlock(
  grid: TileGrid,
  level: number,
  range: readonly [number, number, number, number],
  step: Size,
): AffectedTiles {
  const [x0, yA, x1, yB] = range;
  // rows top to bottom: ascending y for a top-left origin, descending for bottom-left
  const yStep = grid.origin === 'ul' ? step[1] : -step[1];
  const columns = Math.floor((x1 - x0) / step[0]) + 1;
  const rows = Math.floor((yA - yB) / yStep) + 1;
  if (!Number.isSafeInteger(columns) || !Number.isSafeInteger(rows) || columns < 1 || rows < 1) {
    throw new GridError('Invalid BBOX', 'GRID_INVALID_BBOX');
  }
  const lastX = x0 + (columns - 1) * step[0];
  const bottomY = yB + (rows - 1) * yStep;
  const bbox = tilesBBox(
    grid,
    { x: x0, y: bottomY, z: level },
    { x: lastX + step[0] - 1, y: yB + step[1] - 1, z: level },
  );
  const [gridColumns, gridRows] = grid.gridSizes[level] ?? [0, 0];
  function* positions(): Generator<TileCoord | null> {
    for (let row = 0, y = yB; row < rows; row++, y += yStep) {
      for (let col = 0, x = x0; col < columns; col++, x += step[0]) {
        yield x < 0 || y < 0 || x >= gridColumns || y >= gridRows ? null : { x, y, z: level };
      }
    }
  }
  const count = columns * rows;
  let listed: (TileCoord | null)[] | null = null;
  return {
    bbox,
    gridSize: [columns, rows],
    count,
    get tiles() {
      if (count > MAX_LISTED_TILES) {
        throw new GridError(`too many tiles (${count})`, 'GRID_TOO_MANY_TILES');
      }
      listed ??= [...positions()];
      return listed;
    },
    positions,
  };
}
