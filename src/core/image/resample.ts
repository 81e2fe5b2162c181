/**
 * The per-pixel resampling kernel behind scaling and reprojection: Pillow's QUAD/MESH transform
 * (`Geometry.c`) on RGBA with nearest/bilinear/bicubic, premultiplying alpha like Pillow's
 * `Image.transform`. Pure and synchronous; the worker pool runs it off the main thread.
 */
import type { ResamplingMethod } from './types.js';

/** Numbers per mesh cell: dst box `x0, y0, x1, y1`, then src pixel corners NW, SW, SE, NE (x, y). */
export const CELL_STRIDE = 12;

/** One resampling job; `cells` is a flat list of {@link CELL_STRIDE} numbers per cell. */
export interface ResampleJob {
  readonly src: Uint8Array;
  readonly srcWidth: number;
  readonly srcHeight: number;
  readonly dstWidth: number;
  readonly dstHeight: number;
  readonly cells: Float64Array;
  readonly method: ResamplingMethod;
}

type Filter = (
  src: Uint8Array,
  width: number,
  height: number,
  xin: number,
  yin: number,
  out: Uint8Array,
  at: number,
) => boolean;

/**
 * Fills a `dstWidth x dstHeight` RGBA buffer: each cell's box is mapped bilinearly onto its source
 * quadrilateral at pixel centres (Pillow `quad_transform`). Pixels whose source point lies outside
 * the source image stay transparent (0, 0, 0, 0), as Pillow's fill does.
 */
export function resample(job: ResampleJob): Uint8Array {
  const { srcWidth, srcHeight, dstWidth, dstHeight, cells, method } = job;
  // Pillow's transform resamples RGBA as premultiplied RGBa, except with NEAREST
  const premultiplied = method !== 'nearest';
  const src = premultiplied ? premultiply(job.src) : job.src;
  const filter = FILTERS[method];
  const out = new Uint8Array(dstWidth * dstHeight * 4);
  for (let c = 0; c + CELL_STRIDE <= cells.length; c += CELL_STRIDE) {
    const cell = cells.subarray(c, c + CELL_STRIDE);
    const at = (i: number): number => cell[i] ?? 0;
    const bx0 = at(0);
    const by0 = at(1);
    const w = at(2) - bx0;
    const h = at(3) - by0;
    if (w <= 0 || h <= 0) continue;
    const [nwx, nwy, swx, swy, sex, sey, nex, ney] = [
      at(4),
      at(5),
      at(6),
      at(7),
      at(8),
      at(9),
      at(10),
      at(11),
    ];
    const as = 1 / w;
    const at_ = 1 / h;
    const a0 = nwx;
    const a1 = (nex - nwx) * as;
    const a2 = (swx - nwx) * at_;
    const a3 = (sex - swx - nex + nwx) * as * at_;
    const a4 = nwy;
    const a5 = (ney - nwy) * as;
    const a6 = (swy - nwy) * at_;
    const a7 = (sey - swy - ney + nwy) * as * at_;
    const x0 = Math.max(0, bx0);
    const x1 = Math.min(dstWidth, bx0 + w);
    const y0 = Math.max(0, by0);
    const y1 = Math.min(dstHeight, by0 + h);
    for (let y = y0; y < y1; y += 1) {
      const yin = y - by0 + 0.5;
      for (let x = x0; x < x1; x += 1) {
        const xin = x - bx0 + 0.5;
        const sx = a0 + a1 * xin + a2 * yin + a3 * xin * yin;
        const sy = a4 + a5 * xin + a6 * yin + a7 * xin * yin;
        const index = (y * dstWidth + x) * 4;
        if (!filter(src, srcWidth, srcHeight, sx, sy, out, index)) out.fill(0, index, index + 4);
      }
    }
  }
  return premultiplied ? unpremultiply(out) : out;
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
