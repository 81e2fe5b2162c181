/**
 * Band merging (MapProxy `image/merge.py` `BandMerger`): a new image whose channels are taken,
 * scaled and summed from channels of source images, on raw RGBA pixels.
 */
import type { Size } from '../util/index.js';
import { imageFromRaw } from './image-result.js';
import type { ImageResult } from './types.js';

/** The result's mode: `l` (grey), `rgb` or `rgba` (MapProxy: `l` if an `l` band, else `a`, else RGB). */
export type BandMode = 'l' | 'rgb' | 'rgba';

/** One `{source, band, factor}` of a cache's band `sources`. */
export interface BandOp {
  /** Channel of the result: 0-2 r/g/b (0 for l), 3 alpha. */
  readonly dstBand: number;
  /** Index into the source images. */
  readonly srcImage: number;
  /** Channel of that source image: 0-3 r/g/b/a. */
  readonly srcBand: number;
  /** Multiplier; 1 copies the channel, anything else scales it and adds it to the band so far. */
  readonly factor: number;
}

/**
 * Merges `images` by `ops` into an image of `size` (the first image's size when omitted). A
 * result band no op writes is 0, or 255 for alpha. Scaled values follow PIL's ImageMath
 * `convert(int(float(a) * %f), 'L')`: the factor printed with 6 decimals, float32 arithmetic,
 * truncated, clipped to 255; sums are clipped to 255 (`ImageChops.add`).
 */
export async function mergeBands(
  images: readonly ImageResult[],
  ops: readonly BandOp[],
  mode: BandMode,
  size?: Size,
): Promise<ImageResult> {
  const [width, height] = size ?? images[0]?.size ?? [0, 0];
  const pixels = width * height;
  const raws = await Promise.all(images.map((image) => image.raw()));
  const bands: (Uint8Array | null)[] = [null, null, null, null];
  for (const op of ops) {
    const src = raws[op.srcImage]?.data;
    if (src === undefined) throw new RangeError(`band merge: no source image ${op.srcImage}`);
    const channel = new Uint8Array(pixels);
    if (op.factor === 1) {
      for (let i = 0; i < pixels; i++) channel[i] = src[i * 4 + op.srcBand] ?? 0;
      // MapProxy: an unscaled channel replaces whatever the band held
      bands[op.dstBand] = channel;
      continue;
    }
    const factor = Math.fround(Number(op.factor.toFixed(6)));
    for (let i = 0; i < pixels; i++) {
      const scaled = Math.trunc(Math.fround(Math.fround(src[i * 4 + op.srcBand] ?? 0) * factor));
      channel[i] = Math.min(255, Math.max(0, scaled));
    }
    const sum = bands[op.dstBand];
    if (sum === null || sum === undefined) bands[op.dstBand] = channel;
    else for (let i = 0; i < pixels; i++) sum[i] = Math.min(255, (sum[i] ?? 0) + (channel[i] ?? 0));
  }
  const out = Buffer.alloc(pixels * 4);
  const [r, g, b, a] = bands;
  for (let i = 0; i < pixels; i++) {
    const o = i * 4;
    if (mode === 'l') {
      const grey = r?.[i] ?? 0;
      out[o] = grey;
      out[o + 1] = grey;
      out[o + 2] = grey;
    } else {
      out[o] = r?.[i] ?? 0;
      out[o + 1] = g?.[i] ?? 0;
      out[o + 2] = b?.[i] ?? 0;
    }
    out[o + 3] = mode === 'rgba' ? (a?.[i] ?? 255) : 255;
  }
  return imageFromRaw({ data: out, size: [width, height] });
}
