/**
 * The image operations the sources need, in one place, over the image module: checking fetched
 * bytes before anything stores them, solid and text images, reprojection, and pasting a
 * coverage-clipped answer onto a transparent image.
 */
import {
  asSourceAnswer,
  asSubImage,
  blankImage,
  ImageError,
  imageFromBytes,
  imageFromRaw,
  pilMessageImage,
  placeImage,
  transformImage,
  type ImageResult,
  type RawImage,
  type ResamplingMethod,
} from '../image/index.js';
import type { Srs } from '../srs/index.js';
import type { BBox, Size } from '../util/index.js';
import { SourceError, type SourceErrorCode } from './errors.js';

/**
 * Upstream bytes of mime type `format`, checked before anything can store them: they must be an
 * image whatever the Content-Type said, of exactly `expected.size` pixels (a meta tile answered at
 * another size would be padded or cropped into wrong tiles), and must decode completely (a
 * truncated body keeps a valid header). The pixels are decoded once here and kept by the image,
 * so splitting, merging or reprojecting it later decodes nothing again. MapProxy 1.15 stores such
 * answers; we refuse them like any other source failure. Rejects with `SourceError`
 * (`SOURCE_NOT_IMAGE`, `SOURCE_IMAGE_SIZE`) whose message is `invalid image returned from
 * <origin>: <reason>`. `decodeLater` (see `GetMapOptions`): the header is checked now and the
 * pixels when the caller decodes them; a failed decode then rejects with that same
 * `SOURCE_NOT_IMAGE` error, after `onLateFailure` has seen it.
 */
export async function imageFromUpstream(
  data: Buffer,
  format: string,
  expected: { readonly size: Size; readonly sourceName: string; readonly origin: string },
  {
    decodeLater = false,
    onLateFailure,
  }: { readonly decodeLater?: boolean; readonly onLateFailure?: (error: SourceError) => void } = {},
): Promise<ImageResult> {
  const invalid = (reason: string, code: SourceErrorCode, cause?: unknown): SourceError =>
    new SourceError(`invalid image returned from ${expected.origin}: ${reason}`, code, {
      sourceName: expected.sourceName,
      cause,
    });
  const unchecked = (error: ImageError): SourceError => {
    const failure = invalid(error.message, 'SOURCE_NOT_IMAGE', error);
    onLateFailure?.(failure);
    return failure;
  };
  try {
    // 1. magic bytes and header: not an image, or no size
    const image = imageFromBytes(data, format, { unchecked: decodeLater ? unchecked : null });
    // 2. the header size, before paying for a decode
    const [width, height] = image.size;
    if (width !== expected.size[0] || height !== expected.size[1]) {
      throw invalid(`${width}x${height} pixels, requested ${expected.size.join('x')}`, 'SOURCE_IMAGE_SIZE');
    }
    // 3. every pixel: truncated or corrupt data fails here (or in the caller's decode), not when a
    // client decodes the tile
    if (!decodeLater) await image.raw();
    return image;
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    throw invalid(error.message, 'SOURCE_NOT_IMAGE', error);
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

/**
 * `image` from `src` (bbox in srs) onto `dst` (bbox, srs, size): reprojection. A JPEG answer has
 * no alpha band: MapProxy's ImageTransformer transforms it in PIL mode RGB, black where the
 * reprojection has no source, even for a transparent source.
 */
export function reprojectImage(
  image: ImageResult,
  src: { readonly bbox: BBox; readonly srs: Srs },
  dst: { readonly bbox: BBox; readonly srs: Srs; readonly size: Size },
  resampling: ResamplingMethod = 'bicubic',
): Promise<ImageResult> {
  const opaque = image.format === 'image/jpeg';
  return transformImage(image, src, dst, { resampling, opaque }).then(asSourceAnswer);
}

/**
 * An image of `size` with `text` at the upper left on a transparent background (debug source:
 * MapProxy's DebugSource draws with the in-image exception's `message_image`, in Pillow's
 * default bitmap font, which the tiles must match pixel for pixel).
 */
export function textImage({
  text,
  size,
}: {
  readonly text: string;
  readonly size: Size;
}): Promise<ImageResult> {
  return Promise.resolve(pilMessageImage(text, size, { transparent: true }));
}

/**
 * `image` pasted at `offset` (pixels from the top-left) onto a transparent white image of `size`
 * (MapProxy `SubImageSource`), marked as a sub image for the WMS merge. `modeRgb`: the layer's
 * image options name `mode: RGB`, and MapProxy's create_image then makes an opaque white image
 * (the mode wins over the sub image's forced `transparent`), which hides the layers below.
 */
export async function pasteOnTransparent(
  image: ImageResult,
  size: Size,
  offset: readonly [number, number],
  modeRgb = false,
): Promise<ImageResult> {
  // MapProxy create_image: the layer's/source's bgcolor (never configured, so white) with alpha 0.
  // The RGB shows where alpha is dropped: a jpeg is white there, not black (PIL convert('RGB'))
  return asSubImage(
    await placeImage(image, size, offset, [255, 255, 255, modeRgb ? 255 : 0]),
    modeRgb ? 'RGB' : 'RGBA',
  );
}
