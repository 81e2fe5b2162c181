/**
 * Bbox outline sampling and point-cloud extents, as MapProxy's `srs.py` `generate_envelope_points`
 * and `calculate_bbox` do, so curved edges survive a bbox transformation.
 */
import type { BBox } from '../util/index.js';

/** A map coordinate, `[x, y]` in the axis order of its SRS's math (always east/north). */
export type Point = readonly [x: number, y: number];

/**
 * Points along the outline of `bbox`, counter-clockwise from the lower-left corner. `n` is the
 * total point budget (MapProxy uses 16: each edge gets `ceil((n - 4) / 4)` extra points).
 */
export function envelopePoints(bbox: BBox, n: number): Point[] {
  const [x0, y0, x1, y1] = bbox;
  const steps = (n <= 4 ? 0 : Math.ceil((n - 4) / 4)) + 1;
  const xstep = (x1 - x0) / steps;
  const ystep = (y1 - y0) / steps;
  const minx = Math.min(x0, x1);
  const maxx = Math.max(x0, x1);
  const miny = Math.min(y0, y1);
  const maxy = Math.max(y0, y1);
  const points: Point[] = [];
  for (let i = 0; i <= steps; i++) points.push([minx + i * xstep, miny]);
  for (let i = 1; i < steps; i++) points.push([maxx, miny + i * ystep]);
  for (let i = steps; i >= 0; i--) points.push([minx + i * xstep, maxy]);
  for (let i = steps - 1; i > 0; i--) points.push([minx, miny + i * ystep]);
  return points;
}

/**
 * The extent of `points`, ignoring points with a non-finite component (a failed projection yields
 * (inf, inf) in PROJ and a NaN component in proj4js; MapProxy's `calculate_bbox` drops them).
 * Returns null when no point remains.
 */
export function pointsExtent(points: readonly Point[]): BBox | null {
  let minx = Infinity;
  let miny = Infinity;
  let maxx = -Infinity;
  let maxy = -Infinity;
  for (const [x, y] of points) {
    // a point PROJ cannot transform is (inf, inf) as a whole; proj4js may keep x (lat beyond
    // ±90° to web mercator): drop the point, or x widens the extent MapProxy would compute
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    minx = Math.min(minx, x);
    maxx = Math.max(maxx, x);
    miny = Math.min(miny, y);
    maxy = Math.max(maxy, y);
  }
  if (minx === Infinity || miny === Infinity) return null;
  return [minx, miny, maxx, maxy];
}
