/**
 * How much of a grid's bbox a seed coverage covers (MapProxy `script/grids.py`
 * `grid_coverage_ratio`), for the approximate tile counts of `grids -s seed.yaml -c NAME`.
 */
import { transformCoverage, type Coverage, type PolygonCoverage, type TileGrid } from '../grid/index.js';
import { bboxHeight, bboxWidth, type BBox } from '../util/index.js';

/**
 * Coverage area / grid bbox area, both in the grid SRS, as MapProxy computes it: the coverage
 * transformed into the grid SRS (a bbox as its transformed extent, polygons vertex by vertex), then
 * the area of its geometry, or of its bbox when it has none. Throws `SrsError` when the
 * transformation fails.
 */
export function coverageAreaRatio(coverage: Coverage, grid: TileGrid): number {
  const inGrid = transformCoverage(coverage, grid.srs);
  const area = inGrid.kind === 'polygon' ? polygonsArea(inGrid as PolygonCoverage) : bboxArea(inGrid.bbox);
  return area / bboxArea(grid.bbox);
}

function bboxArea(bbox: BBox): number {
  return bboxWidth(bbox) * bboxHeight(bbox);
}

/** Planar area (shapely `area`): each polygon's outer ring minus its holes. */
function polygonsArea(coverage: PolygonCoverage): number {
  return coverage.polygons.reduce(
    (sum, [outer = [], ...holes]) => sum + ringArea(outer) - holes.reduce((h, ring) => h + ringArea(ring), 0),
    0,
  );
}

/** The shoelace formula, whatever the ring's orientation; closed or not (the closing edge adds 0). */
function ringArea(ring: readonly (readonly number[])[]): number {
  let twice = 0;
  for (const [i, [x0 = 0, y0 = 0]] of ring.entries()) {
    const [x1 = 0, y1 = 0] = ring[(i + 1) % ring.length] ?? [];
    twice += x0 * y1 - x1 * y0;
  }
  return Math.abs(twice) / 2;
}
