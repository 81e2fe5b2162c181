/**
 * Whether every tile of one grid is a tile of another (MapProxy `TileGrid.is_subset_of`): decides
 * whether a cache may read another cache tile for tile (`tiled_only`) instead of stitching.
 */
import { GridError } from './errors.js';
import { affectedLevel, affectedLevelTiles } from './affected-tiles.js';
import { resolution, tilesBBox } from './tile-math.js';
import type { TileGrid } from './tile-grid.js';
import type { BBox } from '../util/index.js';

/**
 * True when `grid` and `other` share SRS and tile size and each level of `grid` has a level of
 * `other` with the same resolution whose tiles line up with the whole level of `grid`. `other`
 * may have more levels and a larger extent.
 */
export function isGridSubsetOf(grid: TileGrid, other: TileGrid): boolean {
  if (!grid.srs.equals(other.srs)) return false;
  if (grid.tileSize[0] !== other.tileSize[0] || grid.tileSize[1] !== other.tileSize[1]) return false;
  for (let level = 0; level < grid.resolutions.length; level++) {
    const [columns, rows] = grid.gridSizes[level] ?? [0, 0];
    const levelSize = [columns * grid.tileSize[0], rows * grid.tileSize[1]] as const;
    const levelBBox = tilesBBox(grid, { x: 0, y: 0, z: level }, { x: columns - 1, y: rows - 1, z: level });
    const found = affectedLevel(other, levelBBox, levelSize);
    if (found === null) return false;
    let bbox: BBox;
    try {
      bbox = affectedLevelTiles(other, levelBBox, found.level).bbox;
    } catch (err) {
      if (err instanceof GridError) return false;
      throw err;
    }
    if (resolution(other, found.level) !== resolution(grid, level)) return false;
    if (!bboxNearlyEqual(bbox, levelBBox)) return false;
  }
  return true;
}

/** MapProxy `bbox_equals` with its default precision: a millionth of the first bbox's width. */
function bboxNearlyEqual(a: BBox, b: BBox): boolean {
  const delta = Math.abs(a[0] - a[2]) / 1e6;
  return a.every((value, i) => Math.abs(value - (b[i] ?? Number.NaN)) < delta);
}
