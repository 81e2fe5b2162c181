/**
 * How much of a grid's bbox a seed coverage covers (MapProxy `script/grids.py`
 * `grid_coverage_ratio`), for the approximate tile counts of `grids -s seed.yaml -c NAME`.
 */
import type { CoverageConfig } from '../config/index.js';
import type { TileGrid } from '../grid/index.js';
import { getSrs } from '../srs/index.js';
import { bboxHeight, bboxWidth, type BBox } from '../util/index.js';
import { ToolsError } from './errors.js';

/**
 * Coverage area / grid bbox area, both in the grid SRS. Only bbox coverages (`bbox` or a bbox
 * `datasource`, with `bbox_srs`/`srs`) are supported; geometry coverages throw `ToolsError`
 * (`TOOLS_UNSUPPORTED_COVERAGE`), unknown SRS codes throw `SrsError`.
 */
export function coverageAreaRatio(name: string, coverage: CoverageConfig, grid: TileGrid): number {
  const bbox = coverageBBox(coverage);
  const srsCode = coverage.bbox_srs ?? coverage.srs;
  if (bbox === undefined || srsCode === undefined) {
    throw new ToolsError(
      `coverage ${name}: only bbox coverages are supported for tile counts (no polygons, OGR or set operations)`,
      'TOOLS_UNSUPPORTED_COVERAGE',
    );
  }
  // MapProxy BBOXCoverage.transform_to: the bbox through srs.transform_bbox_to; geom stays None
  const inGrid = getSrs(srsCode).transformBBox(grid.srs, bbox);
  return area(inGrid) / area(grid.bbox);
}

function coverageBBox(coverage: CoverageConfig): BBox | undefined {
  if (coverage.union ?? coverage.intersection ?? coverage.difference) return undefined;
  if (coverage.bbox !== undefined) return coverage.bbox;
  const datasource = coverage.datasource;
  if (typeof datasource === 'object') return datasource;
  // MapProxy bbox_string_re: a datasource like "5,50,10,55" is a bbox, not a file
  const parts = datasource?.split(',').map((part) => Number(part.trim()));
  if (parts?.length !== 4 || !parts.every(Number.isFinite)) return undefined;
  const [minx = 0, miny = 0, maxx = 0, maxy = 0] = parts;
  return [minx, miny, maxx, maxy];
}

function area(bbox: BBox): number {
  return bboxWidth(bbox) * bboxHeight(bbox);
}
