/**
 * `coverage: {clip: true}` (MapProxy `image/mask.py`, applied in `merge_images`): a source whose
 * images are transparent outside its coverage polygon. The polygon-to-pixel math lives here.
 */
import {
  combineCoverages,
  createBBoxCoverage,
  GridError,
  transformCoverage,
  type Coverage,
  type PolygonCoverage,
} from '../grid/index.js';
import { maskImage, type ImageResult, type PixelPolygon } from '../image/index.js';
import type { Srs } from '../srs/index.js';
import type { BBox, Size } from '../util/index.js';
import type { GetMapOptions, MapQuery, MapSource } from './types.js';

type Point = readonly [number, number];

/**
 * `points` (a ring without its closing point) moved `distance` to the right of its edges, each
 * vertex where its two edges' offset lines meet (GEOS's mitre join, which MapProxy asks for:
 * `buffer(-d, join_style=2)`); null when the ring turns inside out (a part thinner than
 * 2 * distance, which that buffer drops). GEOS cuts off a mitre longer than 5 * distance; that
 * bevel, at a reflex corner sharper than ~23 degrees, is not done here.
 */
function offsetRing(points: readonly Point[], distance: number): Point[] | null {
  const n = points.length;
  if (n < 3) return null;
  const out = points.map((p, i): Point => {
    const prev = cyclic(points, i - 1);
    const next = cyclic(points, i + 1);
    const ux = p[0] - prev[0];
    const uy = p[1] - prev[1];
    const vx = next[0] - p[0];
    const vy = next[1] - p[1];
    const lu = Math.hypot(ux, uy);
    const lv = Math.hypot(vx, vy);
    // the offset lines: prev + (uy, -ux) / lu * distance along u, p + (vy, -vx) / lv * distance along v
    const ax = prev[0] + (uy / lu) * distance;
    const ay = prev[1] - (ux / lu) * distance;
    const bx = p[0] + (vy / lv) * distance;
    const by = p[1] - (vx / lv) * distance;
    const cross = ux * vy - uy * vx;
    if (Math.abs(cross) <= 1e-12 * lu * lv) return [bx, by];
    const t = ((bx - ax) * vy - (by - ay) * vx) / cross;
    return [ax + ux * t, ay + uy * t];
  });
  return Math.sign(signedArea(out)) === Math.sign(signedArea(points)) ? out : null;
}

/** `ring[i]`, counting round the ring (a ring of at least one point). */
function cyclic(ring: readonly Point[], i: number): Point {
  const point = ring[((i % ring.length) + ring.length) % ring.length];
  if (point === undefined) throw new RangeError('empty ring');
  return point;
}

/** Twice the signed area, positive counter-clockwise (y up). */
function signedArea(ring: readonly Point[]): number {
  let sum = 0;
  for (const [i, p] of ring.entries()) {
    const q = cyclic(ring, i + 1);
    sum += p[0] * q[1] - q[0] * p[1];
  }
  return sum;
}

/** `ring` with the orientation asked for, still starting at its first point (as GEOS's buffer). */
function oriented(ring: readonly Point[], counterClockwise: boolean): Point[] {
  if (signedArea(ring) > 0 === counterClockwise) return [...ring];
  return [...ring.slice(0, 1), ...ring.slice(1).reverse()];
}

/**
 * `polygon` shrunk by `distance` as MapProxy's `image_mask_from_geom` shrinks each polygon before
 * drawing it (`p.buffer(-0.1 pixel, resolution=1, join_style=2)`): GEOS answers the exterior
 * clockwise and the holes counter-clockwise, each from its first point, and the polygon's material
 * on the right of both, so every edge moves to its right. Null when the exterior vanishes.
 */
function shrinkPolygon(polygon: readonly (readonly Point[])[], distance: number): Point[][] | null {
  const rings: Point[][] = [];
  for (const [index, ring] of polygon.entries()) {
    const moved = offsetRing(oriented(withoutRepeats(ring), index !== 0), distance);
    if (moved === null && index === 0) return null;
    if (moved !== null) rings.push(moved);
  }
  return rings;
}

/** `ring` without repeated points and without its closing point. */
function withoutRepeats(ring: readonly Point[]): Point[] {
  const points = ring.filter(
    (p, i) => i === 0 || p[0] !== cyclic(ring, i - 1)[0] || p[1] !== cyclic(ring, i - 1)[1],
  );
  const first = points[0];
  const last = points[points.length - 1];
  if (first && last && points.length > 1 && first[0] === last[0] && first[1] === last[1]) points.pop();
  return points;
}

/**
 * The polygons of `coverage` inside `bbox` (in `srs`) as the pixel rings MapProxy 1.15 draws its
 * clip mask from (image/mask.py `mask_polygons`, `image_mask_from_geom`): intersected with the
 * bbox, each shrunk by 0.1 pixel (the smaller of the two resolutions), then placed with its
 * `make_lin_transf` (the same float operations), top-left origin.
 */
export function coveragePixelPolygons(coverage: Coverage, bbox: BBox, srs: Srs, size: Size): PixelPolygon[] {
  const [minx, miny, maxx, maxy] = bbox;
  const [width, height] = size;
  let clipped: PolygonCoverage;
  try {
    clipped = combineCoverages('intersection', [
      transformCoverage(coverage, srs),
      createBBoxCoverage({ bbox, srs }),
    ]);
  } catch (error) {
    if (error instanceof GridError && error.code === 'GRID_EMPTY_COVERAGE') return [];
    throw error;
  }
  const shrink = 0.1 * Math.min((maxx - minx) / width, (maxy - miny) / height);
  const pixels: PixelPolygon[] = [];
  for (const polygon of clipped.polygons) {
    const shrunk = shrinkPolygon(polygon, shrink);
    if (shrunk === null) continue;
    pixels.push(
      shrunk.map((ring) =>
        ring.map(([x, y]): [number, number] => [
          ((x - minx) * width) / (maxx - minx),
          ((maxy - y) * height) / (maxy - miny),
        ]),
      ),
    );
  }
  return pixels;
}

/**
 * `source` with its images clipped to `coverage`: pixels outside become transparent, by MapProxy's
 * rule (`coveragePixelPolygons`, `maskImage`). Images of queries inside the coverage pass unchanged. The result is transparent.
 */
export function clipSourceToCoverage(source: MapSource, coverage: Coverage): MapSource {
  // the coverage per query SRS: transforming a polygon vertex by vertex is worth caching
  const bySrs = new Map<string, Coverage>();
  const inSrs = (srs: Srs): Coverage => {
    let found = bySrs.get(srs.code);
    if (found === undefined) {
      found = transformCoverage(coverage, srs);
      bySrs.set(srs.code, found);
    }
    return found;
  };
  return {
    name: source.name,
    isTransparent: true,
    tileGrid: source.tileGrid,
    opacity: source.opacity ?? null,
    ...(source.supportsMetaTiles === undefined ? {} : { supportsMetaTiles: source.supportsMetaTiles }),
    clipsQuery: (query) => inSrs(query.srs).intersects(query.bbox, query.srs),
    async getMap(query: MapQuery, options?: GetMapOptions): Promise<ImageResult | null> {
      const image = await source.getMap(query, options);
      if (image === null) return null;
      const own = inSrs(query.srs);
      if (own.contains(query.bbox, query.srs)) return image;
      return maskImage(image, coveragePixelPolygons(own, query.bbox, query.srs, image.size));
    },
  };
}
