/**
 * Clipping an image to polygons (MapProxy `image/mask.py` `mask_image`): pixels outside become
 * transparent. The mask is filled as Pillow 9.4's `ImageDraw.polygon` fills (libImaging/Draw.c
 * `polygon_generic`, the version MapProxy 1.15 runs on Debian 12), so that the clip edge keeps the
 * same pixels as MapProxy's.
 */
import { imageFromRaw } from './image-result.js';
import type { ImageResult } from './types.js';

/** A ring of `[x, y]` points in pixels from the top-left corner of the image. */
export type PixelRing = readonly (readonly [number, number])[];

/** A polygon in pixels: the exterior ring first, then its holes. */
export type PixelPolygon = readonly PixelRing[];

const f32 = Math.fround;

/** C's `(int)` of a double: towards zero (Pillow's `_draw_polygon` truncates the vertices). */
const toInt = (v: number): number => Math.trunc(v);

// Draw.c's ROUND_UP/ROUND_DOWN of a float: `f + 0.5F` is a float sum
const roundUp = (v: number): number => (v >= 0 ? Math.floor(f32(v + 0.5)) : -Math.floor(f32(-v + 0.5)));
const roundDown = (v: number): number => (v >= 0 ? Math.ceil(f32(v - 0.5)) : -Math.ceil(f32(-v - 0.5)));
/** C's roundf: halves away from zero. */
const roundf = (v: number): number => (v >= 0 ? Math.floor(v + 0.5) : -Math.floor(-v + 0.5));

interface Edge {
  readonly x0: number;
  readonly y0: number;
  readonly xmin: number;
  readonly xmax: number;
  readonly ymin: number;
  readonly ymax: number;
  /** float: `(float)(x1 - x0) / (y1 - y0)`, 0 for a horizontal edge */
  readonly dx: number;
}

function addEdge(x0: number, y0: number, x1: number, y1: number): Edge {
  return {
    x0,
    y0,
    xmin: Math.min(x0, x1),
    xmax: Math.max(x0, x1),
    ymin: Math.min(y0, y1),
    ymax: Math.max(y0, y1),
    dx: y0 === y1 ? 0 : f32(f32(x1 - x0) / (y1 - y0)),
  };
}

/** The edge's x on row `y`, in float arithmetic as Draw.c computes it. */
const edgeX = (e: Edge, y: number): number => f32(f32((y - e.y0) * e.dx) + e.x0);

/**
 * Sets `mask` (one byte a pixel, `width` wide) to `ink` inside `ring`: a port of Pillow 9.4's
 * `ImagingDrawPolygon` with fill (mode L): vertices truncated to whole pixels, every horizontal
 * edge drawn, each row's crossings paired after sorting, the span ends rounded inwards, and its
 * "connect discontiguous corners" step, including its write to `xx[k]` (an edge's index, not a
 * crossing's), which changes the row only when that slot is read again.
 */
export function fillPolygon(
  mask: Uint8Array,
  width: number,
  height: number,
  ring: PixelRing,
  ink: number,
): void {
  const xy = ring.map(([x, y]) => [toInt(x), toInt(y)] as const);
  const [first] = xy;
  if (first === undefined) return;
  const edges: Edge[] = [];
  let last = first;
  for (const point of xy.slice(1)) {
    edges.push(addEdge(last[0], last[1], point[0], point[1]));
    last = point;
  }
  if (last[0] !== first[0] || last[1] !== first[1]) edges.push(addEdge(last[0], last[1], first[0], first[1]));

  const hline = (x0: number, y: number, x1: number): void => {
    if (y < 0 || y >= height) return;
    if (x0 < 0) x0 = 0;
    else if (x0 >= width) return;
    if (x1 < 0) return;
    if (x1 >= width) x1 = width - 1;
    if (x0 <= x1) mask.fill(ink, y * width + x0, y * width + x1 + 1);
  };

  let ymin = height - 1;
  let ymax = 0;
  const table: Edge[] = [];
  for (const e of edges) {
    if (ymin > e.ymin) ymin = e.ymin;
    if (ymax < e.ymax) ymax = e.ymax;
    if (e.ymin === e.ymax) {
      hline(e.xmin, e.ymin, e.xmax);
      continue;
    }
    table.push(e);
  }
  if (ymin < 0) ymin = 0;
  if (ymax > height) ymax = height;
  const xx = new Float32Array(table.length * 2);
  for (let y = ymin; y <= ymax; y += 1) {
    let j = 0;
    for (const [t, current] of table.entries()) {
      if (y < current.ymin || y > current.ymax) continue;
      const x = edgeX(current, y);
      xx[j++] = x;
      if (y === current.ymax && y < ymax) {
        // Draw.c: "Needed to draw consistent polygons"
        xx[j++] = x;
      } else if (current.dx !== 0 && roundf(x) === x) {
        // Draw.c: "Connect discontiguous corners"
        for (const [k, other] of table.slice(0, t).entries()) {
          if ((current.dx > 0 && other.dx <= 0) || (current.dx < 0 && other.dx >= 0)) continue;
          const sameEnd =
            (y === current.ymin && y === other.ymin) || (y === current.ymax && y === other.ymax);
          if (!sameEnd || x !== edgeX(other, y)) continue;
          const offset = y === ymax ? -1 : 1;
          const a = edgeX(current, y + offset);
          const b = edgeX(other, y + offset);
          if (y === current.ymax) xx[k] = current.dx > 0 ? Math.max(a, b) + 1 : Math.min(a, b) - 1;
          else xx[k] = current.dx > 0 ? Math.min(a, b) : Math.max(a, b) + 1;
          break;
        }
      }
    }
    const row = xx.subarray(0, j).sort();
    for (let k = 1; k < j; k += 2) hline(roundUp(row[k - 1] ?? 0), y, roundDown(row[k] ?? 0));
  }
}

/**
 * `image` with the pixels outside `polygons` made transparent (RGBA 0), masked as MapProxy 1.15's
 * `image_mask_from_geom` draws its mask: each polygon's exterior filled, then its holes cleared, in
 * order, with Pillow's polygon fill (`fillPolygon`). MapProxy shrinks each polygon by 0.1 pixel in
 * map units before (so a polygon touching a pixel keeps it only when it overlaps it by more); the
 * rings given here are that shrunk polygon.
 */
export async function maskImage(image: ImageResult, polygons: readonly PixelPolygon[]): Promise<ImageResult> {
  const raw = await image.raw();
  const [width, height] = raw.size;
  const keep = new Uint8Array(width * height);
  for (const polygon of polygons) {
    polygon.forEach((ring, index) => {
      fillPolygon(keep, width, height, ring, index === 0 ? 1 : 0);
    });
  }
  const data = Buffer.from(raw.data);
  for (let p = 0; p < keep.length; p += 1) if (keep[p] === 0) data.writeUInt32LE(0, p * 4);
  return imageFromRaw({ data, size: raw.size });
}
