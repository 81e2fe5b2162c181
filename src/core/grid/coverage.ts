/**
 * Coverages: where a source, cache or seed task has data. Only MapProxy's bbox form
 * (`coverage: {bbox, srs}`) exists yet; polygons, files and combinators follow (issue #6).
 */
import { getSrs, type Srs } from '../srs/index.js';
import { isValidBBox, type BBox } from '../util/index.js';
import { GridError } from './errors.js';

/** The shapes a coverage can have (polygons and "any of" live in polygon-coverage.ts). */
export type CoverageKind = 'bbox' | 'polygon' | 'multi';

/** An area in some SRS. Every bbox argument is x/y order in the SRS passed with it. */
export interface Coverage {
  readonly kind: CoverageKind;
  readonly srs: Srs;
  /** The bounding box of the area in `srs`. */
  readonly bbox: BBox;
  /** True when `bbox` (in `srs`) overlaps the area; touching edges do not count. */
  intersects(bbox: BBox, srs: Srs): boolean;
  /** True when `bbox` (in `srs`) lies completely inside, allowing rounding errors of 1e-13 of the extent. */
  contains(bbox: BBox, srs: Srs): boolean;
  /**
   * MapProxy's `contains(coord, srs)` of a point: a bbox coverage as the box of the point (its
   * edges count), a polygon coverage as shapely's `contains` of a Point (its boundary does not).
   */
  containsPoint(point: readonly [number, number], srs: Srs): boolean;
  /** The bounding box of the area in `srs` (16-point transformation when the SRS differ). */
  extent(srs: Srs): BBox;
}

/** MapProxy's bbox coverage keys: `bbox` as a list or `"minx,miny,maxx,maxy"`, and `srs` (or `bbox_srs`). */
export interface BBoxCoverageOptions {
  readonly bbox: BBox | readonly number[] | string;
  readonly srs: string | number | Srs;
}

/** `"a,b,c,d"` or a list of four numbers as a BBox. Throws `GridError` (`GRID_INVALID_BBOX`). */
export function parseBBox(value: BBox | readonly number[] | string): BBox {
  const parts = typeof value === 'string' ? value.split(',').map((part) => Number(part.trim())) : [...value];
  const [minx, miny, maxx, maxy] = parts;
  if (
    parts.length !== 4 ||
    minx === undefined ||
    miny === undefined ||
    maxx === undefined ||
    maxy === undefined
  ) {
    throw new GridError(`invalid bbox ${String(value)}: needs four numbers`, 'GRID_INVALID_BBOX', {
      key: 'bbox',
    });
  }
  const bbox: BBox = [minx, miny, maxx, maxy];
  if (!isValidBBox(bbox)) {
    throw new GridError(`invalid bbox ${bbox.join(',')}`, 'GRID_INVALID_BBOX', { key: 'bbox' });
  }
  return bbox;
}

/**
 * A rectangular coverage (MapProxy `BBOXCoverage`). Query bboxes are transformed into the
 * coverage SRS before comparing. Throws `GridError`: `GRID_INVALID_BBOX`, or `GRID_UNKNOWN_SRS`
 * with the `SrsError` as cause.
 */
export function createBBoxCoverage(options: BBoxCoverageOptions): Coverage {
  const bbox = parseBBox(options.bbox);
  let srs: Srs;
  try {
    srs = typeof options.srs === 'object' ? options.srs : getSrs(options.srs);
  } catch (error) {
    throw new GridError(`unknown coverage srs ${String(options.srs)}`, 'GRID_UNKNOWN_SRS', {
      cause: error,
      key: 'srs',
    });
  }
  const inCoverageSrs = bboxInto(srs);
  return {
    kind: 'bbox',
    srs,
    bbox,
    intersects: (other, otherSrs) => {
      const b = inCoverageSrs(other, otherSrs);
      return bbox[0] < b[2] && bbox[2] > b[0] && bbox[1] < b[3] && bbox[3] > b[1];
    },
    contains: (other, otherSrs) => {
      const b = inCoverageSrs(other, otherSrs);
      // MapProxy bbox_contains: tolerate 1e-13 of the coverage size
      const dx = Math.abs(bbox[2] - bbox[0]) / 10e12;
      const dy = Math.abs(bbox[3] - bbox[1]) / 10e12;
      return bbox[0] <= b[0] + dx && bbox[2] >= b[2] - dx && bbox[1] <= b[1] + dy && bbox[3] >= b[3] - dy;
    },
    containsPoint(point, pointSrs) {
      return this.contains([point[0], point[1], point[0], point[1]], pointSrs);
    },
    extent: (target) => (target.equals(srs) ? bbox : srs.transformBBox(target, bbox)),
  };
}

/** Brings a bbox given in any SRS into `srs` (unchanged when it already is). */
export function bboxInto(srs: Srs): (bbox: BBox, bboxSrs: Srs) => BBox {
  return (bbox, bboxSrs) => (bboxSrs.equals(srs) ? bbox : bboxSrs.transformBBox(srs, bbox));
}
