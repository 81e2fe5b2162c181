/**
 * Pillow 9.4's polygon fill (libImaging/Draw.c `polygon_generic`, the version MapProxy 1.15 runs on
 * Debian 12) and the clip masks drawn with it; pure, so that the image threads load it without
 * the pools (mask.ts, mask-worker.ts).
 */
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

/**
 * Sets `mask` (one byte a pixel, `width` wide) to `ink` inside `ring`: a port of Pillow 9.4's
 * `ImagingDrawPolygon` with fill (mode L): vertices truncated to whole pixels, every horizontal
 * edge drawn, each row's crossings paired after sorting, the span ends rounded inwards, and its
 * "connect discontiguous corners" step, including its write to `xx[k]` (an edge's index in the
 * whole edge table, not a crossing's), which changes the row only when that slot is read again.
 *
 * Draw.c visits every edge on every row; here the edges are taken up in order of their top row
 * and each row visits only the edges crossing it, still in table order (the crossings, and which
 * slot the corner step writes, depend on it): a 4000 px map of a 5000-vertex ring took 1.9 s.
 */
export function fillPolygon(
  mask: Uint8Array,
  width: number,
  height: number,
  ring: PixelRing,
  ink: number,
): void {
  const n = ring.length;
  if (n === 0) return;
  const px = new Int32Array(n);
  const py = new Int32Array(n);
  for (let i = 0; i < n; i += 1) {
    const point = ring[i] as readonly [number, number];
    px[i] = toInt(point[0]);
    py[i] = toInt(point[1]);
  }
  const closes = px[n - 1] !== px[0] || py[n - 1] !== py[0];
  const edgeCount = n - 1 + (closes ? 1 : 0);

  const hline = (x0: number, y: number, x1: number): void => {
    if (y < 0 || y >= height) return;
    if (x0 < 0) x0 = 0;
    else if (x0 >= width) return;
    if (x1 < 0) return;
    if (x1 >= width) x1 = width - 1;
    if (x0 <= x1) mask.fill(ink, y * width + x0, y * width + x1 + 1);
  };

  // the edge table (Draw.c's edge_table: the edges that are not horizontal, in ring order)
  const ex0 = new Int32Array(edgeCount);
  const ey0 = new Int32Array(edgeCount);
  const eymin = new Int32Array(edgeCount);
  const eymax = new Int32Array(edgeCount);
  /** float: `(float)(x1 - x0) / (y1 - y0)` */
  const edx = new Float64Array(edgeCount);
  let count = 0;
  let ymin = height - 1;
  let ymax = 0;
  for (let i = 0; i < edgeCount; i += 1) {
    const j = i + 1 === n ? 0 : i + 1;
    const x0 = px[i] as number;
    const y0 = py[i] as number;
    const x1 = px[j] as number;
    const y1 = py[j] as number;
    const lo = Math.min(y0, y1);
    const hi = Math.max(y0, y1);
    if (ymin > lo) ymin = lo;
    if (ymax < hi) ymax = hi;
    if (lo === hi) {
      hline(Math.min(x0, x1), lo, Math.max(x0, x1));
      continue;
    }
    ex0[count] = x0;
    ey0[count] = y0;
    eymin[count] = lo;
    eymax[count] = hi;
    edx[count] = f32(f32(x1 - x0) / (y1 - y0));
    count += 1;
  }
  if (ymin < 0) ymin = 0;
  if (ymax > height) ymax = height;
  if (count === 0 || ymin > ymax) return;

  /** The edge's x on row `y`, in float arithmetic as Draw.c computes it. */
  const edgeX = (e: number, y: number): number =>
    f32(f32((y - (ey0[e] as number)) * (edx[e] as number)) + (ex0[e] as number));

  // table indices by top row (ties in table order), taken up as the rows reach them
  const byTop = new Int32Array(count);
  for (let i = 0; i < count; i += 1) byTop[i] = i;
  byTop.sort((a, b) => (eymin[a] as number) - (eymin[b] as number) || a - b);
  let next = 0;
  // the edges crossing the row, in table order, and a second buffer to merge newcomers into
  let active = new Int32Array(count);
  let merged = new Int32Array(count);
  let activeCount = 0;
  const xx = new Float32Array(count * 2);

  for (let y = ymin; y <= ymax; y += 1) {
    // drop the edges that ended above this row
    let kept = 0;
    for (let a = 0; a < activeCount; a += 1) {
      const e = active[a] as number;
      if ((eymax[e] as number) >= y) active[kept++] = e;
    }
    activeCount = kept;
    // take up the edges starting on or above it (sorted by index), merged in table order
    const first = next;
    while (next < count && (eymin[byTop[next] as number] as number) <= y) next += 1;
    if (next > first) {
      let newcomers = 0;
      for (let b = first; b < next; b += 1) {
        const e = byTop[b] as number;
        if ((eymax[e] as number) >= y) byTop[first + newcomers++] = e;
      }
      if (newcomers > 1) byTop.subarray(first, first + newcomers).sort();
      let a = 0;
      let b = first;
      let m = 0;
      const end = first + newcomers;
      while (a < activeCount || b < end) {
        if (b >= end || (a < activeCount && (active[a] as number) < (byTop[b] as number)))
          merged[m++] = active[a++] as number;
        else merged[m++] = byTop[b++] as number;
      }
      [active, merged] = [merged, active];
      activeCount = m;
    }

    let j = 0;
    for (let a = 0; a < activeCount; a += 1) {
      const t = active[a] as number;
      const x = edgeX(t, y);
      xx[j++] = x;
      const dx = edx[t] as number;
      const top = eymin[t] as number;
      const bottom = eymax[t] as number;
      if (y === bottom && y < ymax) {
        // Draw.c: "Needed to draw consistent polygons"
        xx[j++] = x;
      } else if (dx !== 0 && roundf(x) === x) {
        // Draw.c: "Connect discontiguous corners"; of the table before this edge its loop takes
        // only edges starting or ending on this row, all of them in the active list before it
        for (let b = 0; b < a; b += 1) {
          const k = active[b] as number;
          const otherDx = edx[k] as number;
          if ((dx > 0 && otherDx <= 0) || (dx < 0 && otherDx >= 0)) continue;
          const sameEnd = (y === top && y === eymin[k]) || (y === bottom && y === eymax[k]);
          if (!sameEnd || x !== edgeX(k, y)) continue;
          const offset = y === ymax ? -1 : 1;
          const p = edgeX(t, y + offset);
          const q = edgeX(k, y + offset);
          // k is the edge's index in the whole table, as Draw.c's xx[k]
          if (y === bottom) xx[k] = dx > 0 ? Math.max(p, q) + 1 : Math.min(p, q) - 1;
          else xx[k] = dx > 0 ? Math.min(p, q) : Math.max(p, q) + 1;
          break;
        }
      }
    }
    sortPrefix(xx, j);
    for (let k = 1; k < j; k += 2) hline(roundUp(xx[k - 1] as number), y, roundDown(xx[k] as number));
  }
}

/** Sorts `xx[0..j)` ascending in place: insertion sort for the few crossings of most rows. */
function sortPrefix(xx: Float32Array, j: number): void {
  if (j > 32) {
    xx.subarray(0, j).sort();
    return;
  }
  for (let i = 1; i < j; i += 1) {
    const v = xx[i] as number;
    let k = i - 1;
    while (k >= 0 && (xx[k] as number) > v) {
      xx[k + 1] = xx[k] as number;
      k -= 1;
    }
    xx[k + 1] = v;
  }
}

/** The size of an image and the polygons to keep of it (`maskImage`). */
export interface MaskJob {
  readonly width: number;
  readonly height: number;
  readonly polygons: readonly PixelPolygon[];
}

/** The mask of `job.polygons`, one byte a pixel: 255 inside, 0 outside. */
export function drawMask({ width, height, polygons }: MaskJob): Uint8Array {
  const keep = new Uint8Array(width * height);
  for (const polygon of polygons) {
    polygon.forEach((ring, index) => {
      fillPolygon(keep, width, height, ring, index === 0 ? 255 : 0);
    });
  }
  return keep;
}
