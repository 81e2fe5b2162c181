/**
 * Crops a (possibly fractional) pixel box out of an image and scales it to a size, like Pillow's
 * `Image.transform(size, EXTENT, box, filter)` that MapProxy uses for rescaled tiles and WMS.
 */
import type { Size } from '../util/index.js';
import { dropAlpha } from './flatten.js';
import { imageFromRaw } from './image-result.js';
import { isOpaqueMosaic } from './mosaic.js';
import { checkSize } from './pixels.js';
import { resampleImage } from './resampled-image.js';
import type { ImageResult, ResampledOpaque, RawImage, ResamplingMethod } from './types.js';

/** A pixel box `[x0, y0, x1, y1]`, y down; may be fractional and reach outside the image. */
export type PixelBox = readonly [x0: number, y0: number, x1: number, y1: number];

/**
 * The `srcBox` part of `image` (pixels, y down) scaled to `dstSize` with `resampling`. An
 * integer box of exactly `dstSize` is a plain copy; anything else is resampled on a worker
 * thread (Pillow semantics: no antialiasing when shrinking), with `lazy` only when its pixels or
 * an encode are first asked for (see resampled-image.ts). Areas outside the source are
 * transparent `(0, 0, 0, 0)`; with `opaque` (an opaque cache's mosaic, see `opaqueImage`) the
 * source's alpha is dropped, and areas outside it are black, as Pillow fills an RGB image.
 * Rejects with `ImageError` (`IMAGE_DECODE`, `IMAGE_INVALID`, `IMAGE_TRANSFORM`).
 */
export async function cropAndScale(
  image: ImageResult,
  srcBox: PixelBox,
  dstSize: Size,
  resampling: ResamplingMethod,
  { lazy = false, opaque = false }: { readonly lazy?: boolean; readonly opaque?: ResampledOpaque } = {},
): Promise<ImageResult> {
  checkSize(dstSize);
  const [x0, y0, x1, y1] = srcBox;
  if (srcBox.every(Number.isInteger) && x1 - x0 === dstSize[0] && y1 - y0 === dstSize[1]) {
    const cropped = crop(await image.raw(), x0, y0, dstSize);
    if (opaque !== false && !isOpaqueMosaic(image)) dropAlpha(cropped.data);
    return imageFromRaw(cropped, { owned: true });
  }
  // Pillow EXTENT: the whole output onto the box
  const extent = [x0, y0, x1, y1] as const;
  return resampleImage(image, { dstSize, mapping: { extent }, method: resampling, opaque }, { lazy });
}

/**
 * An opaque cache's mosaic as MapProxy holds it, in RGB (`create_image`): translucent pixels (of
 * tiles created for this request, before they were encoded, or of translucent stored tiles) keep
 * their colour without the alpha. A mosaic of opaque stored PNG tiles is returned as it is.
 */
export async function opaqueImage(image: ImageResult): Promise<ImageResult> {
  if (isOpaqueMosaic(image)) return image;
  const raw = await image.raw();
  return imageFromRaw({ data: dropAlpha(Buffer.from(raw.data)), size: raw.size }, { owned: true });
}

/** `size` pixels of `raw` from `(x, y)`; outside is transparent black, as Pillow's `crop` fills. */
function crop(raw: RawImage, x: number, y: number, size: Size): RawImage {
  const [width, height] = size;
  const [srcWidth, srcHeight] = raw.size;
  const data = Buffer.alloc(width * height * 4);
  const cx0 = Math.max(0, x);
  const cx1 = Math.min(srcWidth, x + width);
  for (let row = Math.max(0, y); row < Math.min(srcHeight, y + height) && cx1 > cx0; row += 1) {
    const source = (row * srcWidth + cx0) * 4;
    raw.data.copy(data, ((row - y) * width + (cx0 - x)) * 4, source, source + (cx1 - cx0) * 4);
  }
  return { data, size };
}
