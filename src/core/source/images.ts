/**
 * The image operations the sources need, in one place, over the image module: wrapping fetched
 * bytes (decoded only when needed), solid and text images, reprojection, and pasting a
 * coverage-clipped answer onto a transparent image.
 */
import {
  blankImage,
  ImageError,
  imageFromBytes,
  imageFromRaw,
  messageImage,
  transformImage,
  type ImageResult,
  type RawImage,
  type ResamplingMethod,
} from '../image/index.js';
import type { Srs } from '../srs/index.js';
import type { BBox, Size } from '../util/index.js';
import { SourceError } from './errors.js';

/**
 * Upstream bytes of mime type `format`, decoded only when needed. Throws `SourceError`
 * (`SOURCE_NOT_IMAGE`) when the bytes are not an image, whatever the Content-Type said.
 */
export function imageFromUpstream(data: Buffer, format: string): ImageResult {
  try {
    return imageFromBytes(data, format);
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    throw new SourceError(error.message, 'SOURCE_NOT_IMAGE', { sourceName: '', cause: error });
  }
}

/** RGBA pixels as an image. */
export function imageFromPixels(raw: RawImage): ImageResult {
  return imageFromRaw(raw);
}

/** A single-colour image (RGBA 0-255). */
export function solidImage(size: Size, color: readonly [number, number, number, number]): ImageResult {
  return blankImage(size, color);
}

/** `image` from `src` (bbox in srs) onto `dst` (bbox, srs, size): reprojection. */
export function reprojectImage(
  image: ImageResult,
  src: { readonly bbox: BBox; readonly srs: Srs },
  dst: { readonly bbox: BBox; readonly srs: Srs; readonly size: Size },
  resampling: ResamplingMethod = 'bicubic',
): Promise<ImageResult> {
  return transformImage(image, src, dst, { resampling });
}

/** An image of `size` with `text` drawn, centred, on a transparent background (debug source). */
export function textImage({ text, size }: { readonly text: string; readonly size: Size }): Promise<ImageResult> {
  return messageImage(text, size, { transparent: true, placement: 'cc' });
}

/**
 * `image` pasted at `offset` (pixels from the top-left) onto a transparent image of `size`
 * (MapProxy `SubImageSource`).
 */
export async function pasteOnTransparent(
  image: ImageResult,
  size: Size,
  offset: readonly [number, number],
): Promise<ImageResult> {
  const sub = await image.raw();
  const [width, height] = size;
  const data = Buffer.alloc(width * height * 4);
  const [subWidth, subHeight] = sub.size;
  for (let row = 0; row < subHeight; row += 1) {
    const y = row + offset[1];
    if (y < 0 || y >= height) continue;
    const x0 = Math.max(0, offset[0]);
    const x1 = Math.min(width, offset[0] + subWidth);
    if (x1 <= x0) continue;
    const srcStart = (row * subWidth + (x0 - offset[0])) * 4;
    sub.data.copy(data, (y * width + x0) * 4, srcStart, srcStart + (x1 - x0) * 4);
  }
  return imageFromRaw({ data, size });
}
