/**
 * Polygon coverages (MapProxy `GeomCoverage`) and the `union`/`intersection`/`difference`
 * combinators, on polygon-clipping. Pure: reading WKT/GeoJSON files happens in seed/.
 */
import polygonClipping, { type MultiPolygon, type Polygon } from 'polygon-clipping';
import type { Srs } from '../srs/index.js';
import { bboxIntersects, type BBox } from '../util/index.js';
import { bboxInto, createBBoxCoverage, type Coverage } from './coverage.js';
import { GridError } from './errors.js';

/** A coverage whose area is a multipolygon in `srs` (x/y order). */
export interface PolygonCoverage extends Coverage {
  readonly kind: 'polygon';
  readonly polygons: MultiPolygon;
}

/** Coverages a seed task combines with "any of" (MapProxy `MultiCoverage`). */
export interface MultiCoverage extends Coverage {
  readonly kind: 'multi';
  readonly parts: readonly Coverage[];
}

function boxPolygon(b: BBox): Polygon {
  return [
    [
      [b[0], b[1]],
      [b[2], b[1]],
      [b[2], b[3]],
      [b[0], b[3]],
      [b[0], b[1]],
    ],
  ];
}

function boundsOf(polygons: MultiPolygon): BBox {
  let [minx, miny, maxx, maxy] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const polygon of polygons) {
    for (const [x, y] of polygon[0] ?? []) {
      minx = Math.min(minx, x);
      miny = Math.min(miny, y);
      maxx = Math.max(maxx, x);
      maxy = Math.max(maxy, y);
    }
  }
  return [minx, miny, maxx, maxy];
}

/**
 * A coverage of `polygons` in `srs`. Throws `GridError` (`GRID_EMPTY_COVERAGE`) when there is no
 * area, like MapProxy's `EmptyGeometryError`.
 */
export function createPolygonCoverage(polygons: MultiPolygon, srs: Srs): PolygonCoverage {
  // a union with nothing normalises rings (orientation, self-overlaps), as shapely's unary_union
  const geom = polygons.length === 0 ? [] : polygonClipping.union(polygons);
  if (geom.length === 0) throw new GridError('coverage contains no geometries', 'GRID_EMPTY_COVERAGE');
  const bbox = boundsOf(geom);
  const inOwnSrs = bboxInto(srs);
  return {
    kind: 'polygon',
    srs,
    bbox,
    polygons: geom,
    intersects: (other, otherSrs) => {
      const b = inOwnSrs(other, otherSrs);
      if (!bboxIntersects(bbox, b)) return false;
      return polygonClipping.intersection(geom, boxPolygon(b)).length > 0;
    },
    contains: (other, otherSrs) => {
      const b = inOwnSrs(other, otherSrs);
      if (!(bbox[0] <= b[0] && bbox[1] <= b[1] && bbox[2] >= b[2] && bbox[3] >= b[3])) return false;
      return polygonClipping.difference(boxPolygon(b), geom).length === 0;
    },
    extent: (target) => (target.equals(srs) ? bbox : srs.transformBBox(target, bbox)),
  };
}

/** Any of `parts` (MapProxy `MultiCoverage`: intersects/contains when one part does). */
export function createMultiCoverage(parts: readonly Coverage[]): MultiCoverage {
  const first = parts[0];
  if (first === undefined) throw new GridError('coverage contains no geometries', 'GRID_EMPTY_COVERAGE');
  const extents = parts.map((p) => p.extent(first.srs));
  const bbox: BBox = [
    Math.min(...extents.map((e) => e[0])),
    Math.min(...extents.map((e) => e[1])),
    Math.max(...extents.map((e) => e[2])),
    Math.max(...extents.map((e) => e[3])),
  ];
  return {
    kind: 'multi',
    srs: first.srs,
    bbox,
    parts,
    intersects: (b, s) => parts.some((p) => p.intersects(b, s)),
    contains: (b, s) => parts.some((p) => p.contains(b, s)),
    extent: (target) => (target.equals(first.srs) ? bbox : first.srs.transformBBox(target, bbox)),
  };
}

/** The area of a coverage as polygons in `srs`; a bbox becomes its (transformed) rectangle. */
function polygonsIn(coverage: Coverage, srs: Srs): MultiPolygon {
  if (coverage.kind === 'polygon' && coverage.srs.equals(srs)) return (coverage as PolygonCoverage).polygons;
  if (coverage.kind === 'polygon') return (transformCoverage(coverage, srs) as PolygonCoverage).polygons;
  if (coverage.kind === 'multi') return (coverage as MultiCoverage).parts.flatMap((p) => polygonsIn(p, srs));
  return [boxPolygon(coverage.extent(srs))];
}

/**
 * MapProxy `transform_to`: polygons vertex by vertex, bboxes as their transformed extent, multi
 * coverages part by part. Throws `SrsError` when the transformation fails.
 */
export function transformCoverage(coverage: Coverage, srs: Srs): Coverage {
  if (coverage.srs.equals(srs)) return coverage;
  switch (coverage.kind) {
    case 'bbox':
      return createBBoxCoverage({ bbox: coverage.extent(srs), srs });
    case 'multi':
      return createMultiCoverage((coverage as MultiCoverage).parts.map((p) => transformCoverage(p, srs)));
    case 'polygon': {
      const polygons = (coverage as PolygonCoverage).polygons.map((polygon) =>
        polygon.map((ring) =>
          coverage.srs.transformPoints(srs, ring).map(([x, y]): [number, number] => [x, y]),
        ),
      );
      return createPolygonCoverage(polygons, srs);
    }
  }
}

/** How `combineCoverages` joins its parts. */
export type CoverageOperation = 'union' | 'intersection' | 'difference';

/**
 * MapProxy `union_coverage`/`intersection_coverage`/`diff_coverage`: a polygon coverage in the SRS
 * of the first part (difference: the first minus all others). Throws `GridError`
 * (`GRID_EMPTY_COVERAGE`) when nothing is left.
 */
export function combineCoverages(operation: CoverageOperation, parts: readonly Coverage[]): PolygonCoverage {
  const first = parts[0];
  if (first === undefined) throw new GridError(`${operation} without coverages`, 'GRID_EMPTY_COVERAGE');
  const geoms = parts.map((p) => polygonsIn(p, first.srs));
  const [head = [], ...rest] = geoms;
  let result: MultiPolygon;
  if (operation === 'union') result = polygonClipping.union(head, ...rest);
  else if (operation === 'intersection') result = polygonClipping.intersection(head, ...rest);
  else result = rest.length === 0 ? head : polygonClipping.difference(head, ...rest);
  if (result.length === 0) {
    throw new GridError(`${operation} did not return any geometry`, 'GRID_EMPTY_COVERAGE');
  }
  return createPolygonCoverage(result, first.srs);
}
