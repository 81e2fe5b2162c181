/**
 * Polygon coverages (MapProxy `GeomCoverage`) and the `union`/`intersection`/`difference`
 * combinators, on polygon-clipping. Pure: reading WKT/GeoJSON files happens in seed/.
 */
import type PolygonClipping from 'polygon-clipping';
import type { MultiPolygon, Polygon } from 'polygon-clipping';
import type { Srs } from '../srs/index.js';
import { requireOnFirstUse, type BBox } from '../util/index.js';
import { bboxInto, createBBoxCoverage, type Coverage } from './coverage.js';
import { GridError } from './errors.js';

/**
 * polygon-clipping, required with the first polygon coverage: a static import from ESM loaded it
 * into every process that loads the grid module, and had Node scan its 60 kB CommonJS bundle for
 * named exports first (~20 ms of CPU).
 */
const polygonClipping = requireOnFirstUse<typeof PolygonClipping>('polygon-clipping');

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

/** Closed boxes: sharing an edge or a corner counts. */
function touchesOrOverlaps(a: BBox, b: BBox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

type Point = readonly [number, number];

/** Sign of the turn a → b → c: > 0 left, < 0 right, 0 collinear. */
function orientation(a: Point, b: Point, c: Point): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

/** Whether the closed segment p-q meets the closed box `b`. */
function segmentMeetsBox(p: Point, q: Point, b: BBox): boolean {
  if (Math.max(p[0], q[0]) < b[0] || Math.min(p[0], q[0]) > b[2]) return false;
  if (Math.max(p[1], q[1]) < b[1] || Math.min(p[1], q[1]) > b[3]) return false;
  // an end inside the box, or the box's corners not all strictly on one side of the line
  if (p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3]) return true;
  const corners: Point[] = [
    [b[0], b[1]],
    [b[2], b[1]],
    [b[2], b[3]],
    [b[0], b[3]],
  ];
  const sides = corners.map((c) => Math.sign(orientation(p, q, c)));
  return !(sides.every((s) => s > 0) || sides.every((s) => s < 0));
}

/** Even-odd test of a point against all rings (holes included) of one polygon. */
function insidePolygon(point: Point, polygon: Polygon): boolean {
  let inside = false;
  for (const ring of polygon) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
      const [xi = 0, yi = 0] = ring[i] ?? [];
      const [xj = 0, yj = 0] = ring[j] ?? [];
      if (yi > point[1] !== yj > point[1] && point[0] < ((xj - xi) * (point[1] - yi)) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
  }
  return inside;
}

/** Whether `point` lies on an edge of one of the rings of `polygon` (the boundary). */
function onRings(point: Point, polygon: Polygon): boolean {
  return polygon.some((ring) =>
    ring.some((q, i) => {
      const p = ring[i - 1];
      if (p === undefined) return false;
      const within =
        Math.min(p[0], q[0]) <= point[0] &&
        point[0] <= Math.max(p[0], q[0]) &&
        Math.min(p[1], q[1]) <= point[1] &&
        point[1] <= Math.max(p[1], q[1]);
      return within && orientation(p, q, point) === 0;
    }),
  );
}

/**
 * Whether the closed box `b` and the closed area of `polygons` share a point: a ring edge meets
 * the box (this covers touching and crossing), or the box lies wholly inside a polygon.
 */
function boxMeetsPolygons(b: BBox, polygons: MultiPolygon): boolean {
  for (const polygon of polygons) {
    for (const ring of polygon) {
      for (let i = 1; i < ring.length; i += 1) {
        const p = ring[i - 1];
        const q = ring[i];
        if (p !== undefined && q !== undefined && segmentMeetsBox(p, q, b)) return true;
      }
    }
    // no edge meets the box: it is either inside the area (test one corner) or apart from it
    if (insidePolygon([b[0], b[1]], polygon)) return true;
  }
  return false;
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
  const geom = polygons.length === 0 ? [] : polygonClipping().union(polygons);
  if (geom.length === 0) throw new GridError('coverage contains no geometries', 'GRID_EMPTY_COVERAGE');
  const bbox = boundsOf(geom);
  const inOwnSrs = bboxInto(srs);
  return {
    kind: 'polygon',
    srs,
    bbox,
    polygons: geom,
    // shapely's prepared `intersects` (MapProxy GeomCoverage): closed sets, so a box that only
    // touches an edge or a vertex intersects (BBOXCoverage, by contrast, needs an overlap)
    intersects: (other, otherSrs) => {
      const b = inOwnSrs(other, otherSrs);
      return touchesOrOverlaps(bbox, b) && boxMeetsPolygons(b, geom);
    },
    contains: (other, otherSrs) => {
      const b = inOwnSrs(other, otherSrs);
      if (!(bbox[0] <= b[0] && bbox[1] <= b[1] && bbox[2] >= b[2] && bbox[3] >= b[3])) return false;
      return polygonClipping().difference(boxPolygon(b), geom).length === 0;
    },
    containsPoint: (point, pointSrs) => {
      const [p] = pointSrs.equals(srs) ? [point] : pointSrs.transformPoints(srs, [point]);
      // a point outside the bounds (or not transformable: NaN) is outside
      if (p === undefined || !(bbox[0] < p[0] && p[0] < bbox[2] && bbox[1] < p[1] && p[1] < bbox[3]))
        return false;
      return geom.some((polygon) => insidePolygon(p, polygon) && !onRings(p, polygon));
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
    containsPoint: (point, s) => parts.some((p) => p.containsPoint(point, s)),
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
  if (operation === 'union') result = polygonClipping().union(head, ...rest);
  else if (operation === 'intersection') result = polygonClipping().intersection(head, ...rest);
  else result = rest.length === 0 ? head : polygonClipping().difference(head, ...rest);
  if (result.length === 0) {
    throw new GridError(`${operation} did not return any geometry`, 'GRID_EMPTY_COVERAGE');
  }
  return createPolygonCoverage(result, first.srs);
}
