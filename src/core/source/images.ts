/**
 * The image operations the sources need, in one place. Until `image/` exports its
 * implementations (`imageFromBytes`, `blankImage`, `transformImage`, `messageImage`), fetched bytes
 * are wrapped here without decoding, and pixel operations report SOURCE_UNSUPPORTED. TODO(#3)
 */
import type { ImageFormatOptions, ImageResult, RawImage } from '../image/index.js';
import type { Srs } from '../srs/index.js';
import type { BBox, Size } from '../util/index.js';
import { SourceError } from './errors.js';

function unsupported(what: string): SourceError {
  return new SourceError(`${what} needs the image module (TODO(#3))`, 'SOURCE_UNSUPPORTED', {
    sourceName: '',
  });
}

/** Upstream bytes of mime type `format` and (as requested) `size`, decoded only when needed. */
export function imageFromUpstream(data: Buffer, format: string, size: Size): ImageResult {
  return {
    size,
    format,
    encode: (options: ImageFormatOptions) => {
      if (options.format === format) return Promise.resolve({ data, format });
      return Promise.reject(unsupported(`converting ${format} to ${options.format}`));
    },
    raw: (): Promise<RawImage> => Promise.reject(unsupported(`decoding ${format}`)),
  };
}

/** RGBA pixels as an image. */
export function imageFromPixels(raw: RawImage): ImageResult {
  return {
    size: raw.size,
    format: null,
    encode: () => Promise.reject(unsupported('encoding pixels')),
    raw: () => Promise.resolve(raw),
  };
}

/** A single-colour image (RGBA 0-255). */
export function solidImage(size: Size, color: readonly [number, number, number, number]): ImageResult {
  const data = Buffer.alloc(size[0] * size[1] * 4);
  for (let i = 0; i < data.length; i += 4) data.set(color, i);
  return imageFromPixels({ data, size });
}

/** `image` from `src` (bbox in srs) onto `dst` (bbox, srs, size): reprojection. */
export function reprojectImage(
  image: ImageResult,
  src: { readonly bbox: BBox; readonly srs: Srs },
  dst: { readonly bbox: BBox; readonly srs: Srs; readonly size: Size },
): Promise<ImageResult> {
  return Promise.reject(
    unsupported(`reprojecting ${image.size.join('x')} px from ${src.srs.code} to ${dst.srs.code}`),
  );
}

/** An image of `size` with `text` drawn on a transparent background (debug source). */
export function textImage({ size }: { readonly text: string; readonly size: Size }): ImageResult {
  // TODO(#3): draw the text once image/ has messageImage; until then a transparent tile
  return solidImage(size, [255, 255, 255, 0]);
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
  return imageFromPixels({ data, size });
}
