/**
 * The resampling kernel behind scaling and reprojection: Pillow's EXTENT and QUAD/MESH transforms
 * (`Geometry.c`) on RGBA with nearest/bilinear/bicubic, premultiplying translucent images like
 * Pillow's `Image.transform`. Pure and synchronous; the worker pool runs it off the main thread.
 */
import { flattenOnto } from './flatten.js';
import { hasTranslucentPixel } from './pixels.js';
import { bicubicKernel, type KernelQuad } from './resample-wasm.js';
import type { ResamplingMethod } from './types.js';

/** Numbers per mesh cell: dst box `x0, y0, x1, y1`, then src pixel corners NW, SW, SE, NE (x, y). */
export const CELL_STRIDE = 12;

/** A source box `[x0, y0, x1, y1]` (pixels, y down, may be fractional) scaled onto the whole output. */
export type ExtentBox = readonly [x0: number, y0: number, x1: number, y1: number];

/**
 * One resampling job. `cells` (a flat list of {@link CELL_STRIDE} numbers per cell) is Pillow's
 * `MESH`; `extent` is Pillow's `EXTENT` (an affine scale: `sx = xs * (x + 0.5) + x0`).
 */
export type ResampleJob = {
  readonly src: Uint8Array;
  readonly srcWidth: number;
  readonly srcHeight: number;
  readonly dstWidth: number;
  readonly dstHeight: number;
  readonly method: ResamplingMethod;
  /** The caller knows every source alpha is 255 (skips a scan of the whole source). */
  readonly srcOpaque?: boolean | undefined;
  /**
   * The result composited onto black (flatten.ts): an opaque cache's mosaic, which MapProxy
   * reprojects in RGB, shows black where a pixel has no source. With an opaque source that is only
   * those pixels, which the WebAssembly kernel then writes black at once (no pass over the result).
   */
  readonly onBlack?: boolean | undefined;
} & ({ readonly cells: Float64Array } | { readonly extent: ExtentBox });

type Filter = (
  src: Uint8Array,
  width: number,
  height: number,
  xin: number,
  yin: number,
  out: Uint8Array,
  at: number,
) => boolean;

/** A cell's destination box (clipped to the output) and its bilinear map `a0`-`a7` onto the source. */
type Quad = KernelQuad;

/** Source pixels with their size. */
interface Source {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * Fills a `dstWidth x dstHeight` RGBA buffer: each cell's box is mapped bilinearly onto its source
 * quadrilateral at pixel centres (Pillow `quad_transform`). Pixels whose source point lies outside
 * the source image stay transparent (0, 0, 0, 0), as Pillow's fill does. `inKernel`: the
 * WebAssembly kernel's result is left in its memory (not copied out), valid until this thread's
 * next kernel call.
 */
export function resample(
  job: ResampleJob,
  options: { readonly wasm?: boolean; readonly inKernel?: boolean } = {},
): Uint8Array {
  const { srcWidth, srcHeight, dstWidth, dstHeight, method } = job;
  // Pillow's transform resamples RGBA as premultiplied RGBa, except with NEAREST. On an opaque
  // image both conversions are the identity (every result alpha is 0 or 255), so they are skipped
  const premultiplied = method !== 'nearest' && job.srcOpaque !== true && hasTranslucentPixel(job.src);
  const image: Source = {
    data: premultiplied ? premultiply(job.src) : job.src,
    width: srcWidth,
    height: srcHeight,
  };
  // an opaque source's results are opaque (every alpha a cubic of 255s): on black, only the
  // pixels without a source change, to opaque black
  const fillsBlack = job.onBlack === true && job.srcOpaque === true;
  // bicubic (MapProxy's default) in WebAssembly SIMD where it runs: the same arithmetic
  const kernel =
    method === 'bicubic' && options.wasm !== false
      ? bicubicKernel(image.data, srcWidth, srcHeight, dstWidth, dstHeight, fillsBlack ? OPAQUE_BLACK : 0)
      : null;
  const out = kernel === null ? new Uint8Array(dstWidth * dstHeight * 4) : null;
  if ('extent' in job && method !== 'nearest') {
    // Pillow EXTENT → AFFINE (xs, 0, x0, 0, ys, y0) through the generic filtered transform
    const [xs, ys] = extentAxes(job.extent, dstWidth, dstHeight);
    if (kernel !== null) kernel.scale(xs, ys);
    else if (method === 'bicubic' && out !== null) scaleBicubic(image, xs, ys, out);
    else if (out !== null) scaleFiltered(image, xs, ys, FILTERS[method], out);
  } else {
    // NEAREST keeps the quad arithmetic (Pillow's ImagingScaleAffine steps differently)
    const cells = 'extent' in job ? extentCell(job.extent, dstWidth, dstHeight) : job.cells;
    for (let c = 0; c + CELL_STRIDE <= cells.length; c += CELL_STRIDE) {
      const quad = cellQuad(cells.subarray(c, c + CELL_STRIDE), dstWidth, dstHeight);
      if (quad === null) continue;
      // cells whose cross term is a rounding residue moving no point (EPSG:4326: ~2 of a map's 16,
      // a3 ~1e-18) checked pixel by pixel and scaled: same bytes, kernel stage x1.00-1.04 (issue 13)
      if (kernel !== null && isSeparable(quad)) {
        const [xs, ys] = cellAxes(quad);
        if (xs.length > 0 && ys.length > 0) kernel.scale(xs, ys, { x0: quad.x0, y0: quad.y0 });
      } else if (kernel !== null) kernel.transform(quad);
      else if (out === null) continue;
      else if (method === 'bicubic' && isSeparable(quad)) scaleBicubicCell(image, quad, out, dstWidth);
      else if (method === 'bicubic' && LITTLE_ENDIAN && image.data.byteOffset % 4 === 0) {
        transformCellBicubic(image, quad, out, dstWidth);
      } else transformCell(image, quad, FILTERS[method], out, dstWidth);
    }
  }
  const result =
    (options.inKernel === true ? kernel?.output() : kernel?.result()) ?? out ?? new Uint8Array(0);
  const straight = premultiplied ? unpremultiply(result) : result;
  return job.onBlack === true && !(fillsBlack && kernel !== null) ? flattenOnto(straight, 0) : straight;
}

/** Source pixels a tap may reach beyond a sampled point (bicubic: 2.5, the others less), rounded up. */
const TAP_REACH = 3;

/**
 * The source pixels (`[x0, y0, x1, y1]`, end exclusive) any filter of `job` can read: every
 * sampled point lies within the corners of its cell (a bilinear map's extremes over a box are at
 * its corners) or within its extent, and a tap within {@link TAP_REACH} of it; undefined when a
 * corner did not project (NaN), so that nothing can be left out.
 */
export function sampledBox(
  job: Pick<ResampleJob, 'srcWidth' | 'srcHeight'> &
    ({ readonly cells: Float64Array } | { readonly extent: ExtentBox }),
): [number, number, number, number] | undefined {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  const add = (x: number, y: number): void => {
    [minX, minY, maxX, maxY] = [Math.min(minX, x), Math.min(minY, y), Math.max(maxX, x), Math.max(maxY, y)];
  };
  if ('extent' in job) {
    add(job.extent[0], job.extent[1]);
    add(job.extent[2], job.extent[3]);
  } else {
    const { cells } = job;
    for (let c = 0; c + CELL_STRIDE <= cells.length; c += CELL_STRIDE) {
      for (let k = 4; k < CELL_STRIDE; k += 2)
        add(cells[c + k] ?? Number.NaN, cells[c + k + 1] ?? Number.NaN);
    }
  }
  if (![minX, minY, maxX, maxY].every(Number.isFinite)) return undefined;
  const clamp = (v: number, size: number): number => Math.min(size, Math.max(0, v));
  return [
    clamp(Math.floor(minX) - TAP_REACH, job.srcWidth),
    clamp(Math.floor(minY) - TAP_REACH, job.srcHeight),
    clamp(Math.ceil(maxX) + TAP_REACH + 1, job.srcWidth),
    clamp(Math.ceil(maxY) + TAP_REACH + 1, job.srcHeight),
  ];
}

/** (0, 0, 0, 255) as a little-endian RGBA word. */
const OPAQUE_BLACK = 0xff000000;

/**
 * The source x of each output column and source y of each row of Pillow's EXTENT transform
 * (`sx = xs * (x + 0.5) + x0`) of `box` onto `dstWidth x dstHeight` pixels.
 */
export function extentAxes(
  box: ExtentBox,
  dstWidth: number,
  dstHeight: number,
): [Float64Array, Float64Array] {
  const [x0, y0, x1, y1] = box;
  // plain loops: Float64Array.from with a callback cost ~0.1 ms a 512x512 map
  const xs = new Float64Array(dstWidth);
  for (let x = 0; x < dstWidth; x += 1) xs[x] = ((x1 - x0) / dstWidth) * (x + 0.5) + x0;
  const ys = new Float64Array(dstHeight);
  for (let y = 0; y < dstHeight; y += 1) ys[y] = ((y1 - y0) / dstHeight) * (y + 0.5) + y0;
  return [xs, ys];
}

/** One mesh cell mapping the whole output onto `box` (NW, SW, SE, NE). */
function extentCell(box: ExtentBox, dstWidth: number, dstHeight: number): Float64Array {
  const [x0, y0, x1, y1] = box;
  return Float64Array.of(0, 0, dstWidth, dstHeight, x0, y0, x0, y1, x1, y1, x1, y0);
}

function cellQuad(cell: Float64Array, dstWidth: number, dstHeight: number): Quad | null {
  const at = (i: number): number => cell[i] ?? 0;
  const bx0 = at(0);
  const by0 = at(1);
  const w = at(2) - bx0;
  const h = at(3) - by0;
  if (w <= 0 || h <= 0) return null;
  const [nwx, nwy, swx, swy, sex, sey, nex, ney] = [at(4), at(5), at(6), at(7), at(8), at(9), at(10), at(11)];
  const as = 1 / w;
  const at_ = 1 / h;
  const a = [
    nwx,
    (nex - nwx) * as,
    (swx - nwx) * at_,
    (sex - swx - nex + nwx) * as * at_,
    nwy,
    (ney - nwy) * as,
    (swy - nwy) * at_,
    (sey - swy - ney + nwy) * as * at_,
  ];
  return {
    bx0,
    by0,
    x0: Math.max(0, bx0),
    x1: Math.min(dstWidth, bx0 + w),
    y0: Math.max(0, by0),
    y1: Math.min(dstHeight, by0 + h),
    a,
  };
}

/** Any cell: the source point of every pixel is interpolated and filtered on its own. */
function transformCell(image: Source, quad: Quad, filter: Filter, out: Uint8Array, dstWidth: number): void {
  const { data, width, height } = image;
  const { bx0, by0, x0, x1, y0, y1 } = quad;
  const [a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0] = quad.a;
  for (let y = y0; y < y1; y += 1) {
    const yin = y - by0 + 0.5;
    for (let x = x0; x < x1; x += 1) {
      const xin = x - bx0 + 0.5;
      const sx = a0 + a1 * xin + a2 * yin + a3 * xin * yin;
      const sy = a4 + a5 * xin + a6 * yin + a7 * xin * yin;
      const index = (y * dstWidth + x) * 4;
      if (!filter(data, width, height, sx, sy, out, index)) out.fill(0, index, index + 4);
    }
  }
}

/**
 * True when the cell's source x depends on the output column only and its source y on the row
 * only (the bilinear map's cross terms are exactly 0): a reprojection between two cylindrical
 * SRS (EPSG:4326 from EPSG:3857) meshes into such axis-aligned cells.
 */
function isSeparable(quad: Quad): boolean {
  const [, , a2, a3, , a5, , a7] = quad.a;
  return a2 === 0 && a3 === 0 && a5 === 0 && a7 === 0;
}

/**
 * A separable cell through the {@link scaleBicubic} kernel: the source point of each column and
 * row is computed by the very expression {@link transformCell} uses per pixel (the zero terms add
 * nothing whatever the other coordinate), so the pixels are identical, at a fraction of the cost
 * (each source row filtered horizontally once instead of for every output pixel).
 */
function scaleBicubicCell(image: Source, quad: Quad, out: Uint8Array, dstWidth: number): void {
  const [xs, ys] = cellAxes(quad);
  if (xs.length === 0 || ys.length === 0) return;
  scaleBicubic(image, xs, ys, out, { x0: quad.x0, y0: quad.y0, width: dstWidth });
}

/** The source x of each column and source y of each row of a separable cell (empty when clipped away). */
function cellAxes(quad: Quad): [Float64Array, Float64Array] {
  const { bx0, by0, x0, x1, y0, y1 } = quad;
  if (x1 <= x0 || y1 <= y0) return [new Float64Array(0), new Float64Array(0)];
  const [a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0] = quad.a;
  const xin0 = x0 - bx0 + 0.5;
  const yin0 = y0 - by0 + 0.5;
  const xs = new Float64Array(x1 - x0);
  for (let k = 0; k < xs.length; k += 1) {
    const xin = x0 + k - bx0 + 0.5;
    xs[k] = a0 + a1 * xin + a2 * yin0 + a3 * xin * yin0;
  }
  const ys = new Float64Array(y1 - y0);
  for (let k = 0; k < ys.length; k += 1) {
    const yin = y0 + k - by0 + 0.5;
    ys[k] = a4 + a5 * xin0 + a6 * yin + a7 * xin0 * yin;
  }
  return [xs, ys];
}

/**
 * {@link transformCell} with the {@link bicubic} filter inlined, in the same arithmetic (so the
 * same pixels): the 16 source pixels of an output pixel read as 32-bit words (little-endian
 * RGBA) instead of 64 bytes, no per-pixel filter call. Reprojection to a non-cylindrical SRS
 * (UTM) spends most of its time here.
 */
function transformCellBicubic(image: Source, quad: Quad, out: Uint8Array, dstWidth: number): void {
  const { data, width, height } = image;
  const px = new Uint32Array(data.buffer, data.byteOffset, data.length >>> 2);
  const { bx0, by0, x0, x1, y0, y1 } = quad;
  const [a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0] = quad.a;
  const h = new Float64Array(16);
  for (let y = y0; y < y1; y += 1) {
    const yin = y - by0 + 0.5;
    for (let x = x0; x < x1; x += 1) {
      const xin = x - bx0 + 0.5;
      const sx = a0 + a1 * xin + a2 * yin + a3 * xin * yin;
      const sy = a4 + a5 * xin + a6 * yin + a7 * xin * yin;
      const index = (y * dstWidth + x) * 4;
      if (!(sx >= 0 && sx < width && sy >= 0 && sy < height)) {
        out[index] = 0;
        out[index + 1] = 0;
        out[index + 2] = 0;
        out[index + 3] = 0;
        continue;
      }
      const fx = sx - 0.5;
      const fy = sy - 0.5;
      const tx = Math.floor(fx) - 1;
      const ty = Math.floor(fy) - 1;
      const dx = fx - (tx + 1);
      const dy = fy - (ty + 1);
      const c0 = clip(tx, width);
      const c1 = clip(tx + 1, width);
      const c2 = clip(tx + 2, width);
      const c3 = clip(tx + 3, width);
      // h[4 * row + channel]: the horizontal cubic of each of the 4 rows; Pillow: the first row is
      // clipped, a missing later row repeats the previous row's value
      for (let r = 0; r < 4; r += 1) {
        const sourceRow = ty + r;
        if (r > 0 && !(sourceRow >= 0 && sourceRow < height)) {
          h[r * 4] = h[r * 4 - 4] as number;
          h[r * 4 + 1] = h[r * 4 - 3] as number;
          h[r * 4 + 2] = h[r * 4 - 2] as number;
          h[r * 4 + 3] = h[r * 4 - 1] as number;
          continue;
        }
        const base = (r === 0 ? clip(sourceRow, height) : sourceRow) * width;
        const p0 = px[base + c0] as number;
        const p1 = px[base + c1] as number;
        const p2 = px[base + c2] as number;
        const p3 = px[base + c3] as number;
        h[r * 4] = cubic(p0 & 255, p1 & 255, p2 & 255, p3 & 255, dx);
        h[r * 4 + 1] = cubic((p0 >>> 8) & 255, (p1 >>> 8) & 255, (p2 >>> 8) & 255, (p3 >>> 8) & 255, dx);
        h[r * 4 + 2] = cubic((p0 >>> 16) & 255, (p1 >>> 16) & 255, (p2 >>> 16) & 255, (p3 >>> 16) & 255, dx);
        h[r * 4 + 3] = cubic(p0 >>> 24, p1 >>> 24, p2 >>> 24, p3 >>> 24, dx);
      }
      for (let b = 0; b < 4; b += 1) {
        const v = cubic(h[b] as number, h[4 + b] as number, h[8 + b] as number, h[12 + b] as number, dy);
        out[index + b] = v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v);
      }
    }
  }
}

/** A pure scale (source x per column `xs`, source y per row `ys`) with a per-pixel filter. */
function scaleFiltered(
  image: Source,
  xs: Float64Array,
  ys: Float64Array,
  filter: Filter,
  out: Uint8Array,
): void {
  const { data, width, height } = image;
  let index = 0;
  for (const sy of ys) {
    for (const sx of xs) {
      if (!filter(data, width, height, sx, sy, out, index)) out.fill(0, index, index + 4);
      index += 4;
    }
  }
}

/**
 * A pure scale with Pillow's bicubic filter, in the same arithmetic as {@link bicubic}: the column
 * taps and weights are computed once per column, and each source row's horizontal cubics once
 * (a ring of 8 rows covers the 4 consecutive rows one output row reads), so results are identical.
 * `xs`/`ys`: the source point of each output column/row. Plain indexed loops over typed arrays
 * with the four channels unrolled: this is the hottest loop of a WMS GetMap. The result goes to
 * `out` at column `place.x0`, row `place.y0` of rows `place.width` pixels wide (default: all of
 * `out`, as wide as `xs`); invalid pixels are written transparent.
 */
function scaleBicubic(
  image: Source,
  xs: Float64Array,
  ys: Float64Array,
  out: Uint8Array,
  place: { readonly x0: number; readonly y0: number; readonly width: number } = {
    x0: 0,
    y0: 0,
    width: xs.length,
  },
): void {
  const { data, width, height } = image;
  // 1. columns: validity, the four clipped taps (byte offsets in a row) and the fraction
  const cols = xs.length;
  const colValid = new Uint8Array(cols);
  const taps = new Int32Array(cols * 4);
  const fractions = new Float64Array(cols);
  for (let k = 0; k < cols; k += 1) {
    const sx = xs[k] as number;
    colValid[k] = sx >= 0 && sx < width ? 1 : 0;
    const fx = sx - 0.5;
    const x = Math.floor(fx) - 1;
    fractions[k] = fx - (x + 1);
    for (let t = 0; t < 4; t += 1) taps[k * 4 + t] = clip(x + t, width) * 4;
  }
  // 2. source rows filtered horizontally, on demand, into 8 slots of one buffer
  const stride = cols * 4;
  const ring = new Float64Array(8 * stride);
  const ringRow = new Int32Array(8).fill(-1);
  const filtered = (row: number): number => {
    const slot = row & 7;
    const h = slot * stride;
    if (ringRow[slot] === row) return h;
    ringRow[slot] = row;
    const base = row * width * 4;
    for (let k = 0, o = 0; k < cols; k += 1, o += 4) {
      const s0 = base + (taps[o] as number);
      const s1 = base + (taps[o + 1] as number);
      const s2 = base + (taps[o + 2] as number);
      const s3 = base + (taps[o + 3] as number);
      const d = fractions[k] as number;
      const at = h + o;
      ring[at] = cubic(data[s0] as number, data[s1] as number, data[s2] as number, data[s3] as number, d);
      ring[at + 1] = cubic(
        data[s0 + 1] as number,
        data[s1 + 1] as number,
        data[s2 + 1] as number,
        data[s3 + 1] as number,
        d,
      );
      ring[at + 2] = cubic(
        data[s0 + 2] as number,
        data[s1 + 2] as number,
        data[s2 + 2] as number,
        data[s3 + 2] as number,
        d,
      );
      ring[at + 3] = cubic(
        data[s0 + 3] as number,
        data[s1 + 3] as number,
        data[s2 + 3] as number,
        data[s3 + 3] as number,
        d,
      );
    }
    return h;
  };
  // 3. output rows: the vertical cubic over four filtered rows (Pillow's row rules as in bicubic)
  for (let y = 0; y < ys.length; y += 1) {
    const sy = ys[y] as number;
    const rowStart = ((place.y0 + y) * place.width + place.x0) * 4;
    if (!(sy >= 0 && sy < height)) {
      out.fill(0, rowStart, rowStart + stride);
      continue;
    }
    const fy = sy - 0.5;
    const sourceY = Math.floor(fy) - 1;
    const dy = fy - (sourceY + 1);
    const h1 = filtered(clip(sourceY, height));
    const h2 = inRange(sourceY + 1, height) ? filtered(sourceY + 1) : h1;
    const h3 = inRange(sourceY + 2, height) ? filtered(sourceY + 2) : h2;
    const h4 = inRange(sourceY + 3, height) ? filtered(sourceY + 3) : h3;
    for (let k = 0, o = 0; k < cols; k += 1, o += 4) {
      const index = rowStart + o;
      if (colValid[k] === 0) {
        out.fill(0, index, index + 4);
        continue;
      }
      for (let b = 0; b < 4; b += 1) {
        const v = cubic(
          ring[h1 + o + b] as number,
          ring[h2 + o + b] as number,
          ring[h3 + o + b] as number,
          ring[h4 + o + b] as number,
          dy,
        );
        out[index + b] = v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v);
      }
    }
  }
}

function inRange(v: number, size: number): boolean {
  return v >= 0 && v < size;
}

/** Pillow `COORD`. */
function coord(v: number): number {
  return v < 0 ? -1 : Math.trunc(v);
}

function clip(v: number, size: number): number {
  return v < 0 ? 0 : v < size ? v : size - 1;
}

const nearest: Filter = (src, width, height, xin, yin, out, at) => {
  const x = coord(xin);
  const y = coord(yin);
  // negated so that NaN (an unprojectable mesh corner) counts as outside
  if (!(x >= 0 && x < width && y >= 0 && y < height)) return false;
  const from = (y * width + x) * 4;
  out[at] = src[from] ?? 0;
  out[at + 1] = src[from + 1] ?? 0;
  out[at + 2] = src[from + 2] ?? 0;
  out[at + 3] = src[from + 3] ?? 0;
  return true;
};

const bilinear: Filter = (src, width, height, xin, yin, out, at) => {
  if (!(xin >= 0 && xin < width && yin >= 0 && yin < height)) return false;
  const fx = xin - 0.5;
  const fy = yin - 0.5;
  const x = Math.floor(fx);
  const y = Math.floor(fy);
  const dx = fx - x;
  const dy = fy - y;
  const x0 = clip(x, width) * 4;
  const x1 = clip(x + 1, width) * 4;
  const row0 = clip(y, height) * width * 4;
  const hasRow1 = y + 1 >= 0 && y + 1 < height;
  const row1 = (y + 1) * width * 4;
  for (let b = 0; b < 4; b += 1) {
    const a = src[row0 + x0 + b] ?? 0;
    const v1 = a + ((src[row0 + x1 + b] ?? 0) - a) * dx;
    let v2 = v1;
    if (hasRow1) {
      const c = src[row1 + x0 + b] ?? 0;
      v2 = c + ((src[row1 + x1 + b] ?? 0) - c) * dx;
    }
    out[at + b] = Math.trunc(v1 + (v2 - v1) * dy);
  }
  return true;
};

/** Pillow's cubic (a = -1) through four samples at fraction `d`. */
function cubic(v1: number, v2: number, v3: number, v4: number, d: number): number {
  const p2 = -v1 + v3;
  const p3 = 2 * (v1 - v2) + v3 - v4;
  const p4 = -v1 + v2 - v3 + v4;
  return v2 + d * (p2 + d * (p3 + d * p4));
}

const bicubic: Filter = (src, width, height, xin, yin, out, at) => {
  if (!(xin >= 0 && xin < width && yin >= 0 && yin < height)) return false;
  const fx = xin - 0.5;
  const fy = yin - 0.5;
  const x = Math.floor(fx) - 1;
  const y = Math.floor(fy) - 1;
  const dx = fx - (x + 1);
  const dy = fy - (y + 1);
  const xs0 = clip(x, width) * 4;
  const xs1 = clip(x + 1, width) * 4;
  const xs2 = clip(x + 2, width) * 4;
  const xs3 = clip(x + 3, width) * 4;
  const rowWidth = width * 4;
  // Pillow: the first row is clipped, a missing later row repeats the previous row's value
  const r0 = clip(y, height) * rowWidth;
  const r1 = y + 1 >= 0 && y + 1 < height ? (y + 1) * rowWidth : -1;
  const r2 = y + 2 >= 0 && y + 2 < height ? (y + 2) * rowWidth : -1;
  const r3 = y + 3 >= 0 && y + 3 < height ? (y + 3) * rowWidth : -1;
  for (let b = 0; b < 4; b += 1) {
    const v1 = cubicRow(src, r0 + b, xs0, xs1, xs2, xs3, dx);
    const v2 = r1 < 0 ? v1 : cubicRow(src, r1 + b, xs0, xs1, xs2, xs3, dx);
    const v3 = r2 < 0 ? v2 : cubicRow(src, r2 + b, xs0, xs1, xs2, xs3, dx);
    const v4 = r3 < 0 ? v3 : cubicRow(src, r3 + b, xs0, xs1, xs2, xs3, dx);
    const v = cubic(v1, v2, v3, v4, dy);
    out[at + b] = v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v);
  }
  return true;
};

function cubicRow(
  src: Uint8Array,
  row: number,
  xs0: number,
  xs1: number,
  xs2: number,
  xs3: number,
  d: number,
): number {
  return cubic(src[row + xs0] ?? 0, src[row + xs1] ?? 0, src[row + xs2] ?? 0, src[row + xs3] ?? 0, d);
}

const FILTERS: Readonly<Record<ResamplingMethod, Filter>> = { nearest, bilinear, bicubic };

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Pillow RGBA → RGBa: each colour times alpha, rounded division by 255. */
function premultiply(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 4) {
    const alpha = data[i + 3] ?? 0;
    for (let c = 0; c < 3; c += 1) {
      const tmp = (data[i + c] ?? 0) * alpha + 128;
      out[i + c] = ((tmp >> 8) + tmp) >> 8;
    }
    out[i + 3] = alpha;
  }
  return out;
}

/** Pillow RGBa → RGBA (in place): `min(255, 255 * c / alpha)` truncated; alpha 0 and 255 kept. */
function unpremultiply(data: Uint8Array): Uint8Array {
  for (let i = 0; i < data.length; i += 4) {
    const alpha = data[i + 3] ?? 0;
    if (alpha === 0 || alpha === 255) continue;
    for (let c = 0; c < 3; c += 1)
      data[i + c] = Math.min(255, Math.trunc((255 * (data[i + c] ?? 0)) / alpha));
  }
  return data;
}
