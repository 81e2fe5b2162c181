/**
 * The two `ImageResult` implementations: encoded bytes (decoded lazily, passed through unchanged
 * when already in the requested format) and raw RGBA pixels (encoded on demand).
 */
import type { Size } from '../util/index.js';
import { decodeToRaw, encodeRaw, type Encoded } from './codec.js';
import { ImageError } from './errors.js';
import { formatName, mimeType, sniffFormat, type FormatName } from './formats.js';
import { headerSize } from './header-size.js';
import { decodePngRgba } from './png-decode.js';
import { checkRaw } from './pixels.js';
import type { ImageFormatOptions, ImageResult, PilMode, RawImage } from './types.js';

/**
 * What a failed decode of bytes not checked yet becomes: the error of whoever supplied them (a
 * source's `SOURCE_NOT_IMAGE`), made from the decoder's `ImageError`.
 */
export type DecodeFailure = (error: ImageError) => Error;

/** Encoded bytes; `size` comes from the header, pixels are decoded at most once. */
class EncodedImage implements ImageResult {
  readonly size: Size;
  readonly format: string;
  readonly #data: Buffer;
  readonly #name: FormatName;
  /** Set while the bytes are not known to decode: what a failed decode rejects with. */
  readonly #unchecked: DecodeFailure | null;
  /** The image the bytes were encoded from, whose pixels `raw()` gives (see `imageFromBytes`). */
  readonly #pixels: ImageResult | null;
  #raw: Promise<RawImage> | null = null;

  constructor(
    data: Buffer,
    name: FormatName,
    size: Size,
    unchecked: DecodeFailure | null,
    pixels: ImageResult | null = null,
  ) {
    this.#data = data;
    this.#name = name;
    this.size = size;
    this.format = mimeType(name);
    this.#unchecked = unchecked;
    this.#pixels = pixels;
  }

  encode(options: ImageFormatOptions): Promise<Encoded> {
    const wanted = formatName(options.format);
    // a cache hit in its own format goes out as stored; mixed accepts png and jpeg as they are
    // (MapProxy compares ImageFormat.ext, so a truecolour png also satisfies `png; mode=8bit`)
    if (wanted === this.#name || (wanted === 'mixed' && (this.#name === 'png' || this.#name === 'jpeg'))) {
      const passed = { data: this.#data, format: this.format };
      // unchecked bytes (a source's answer) are decoded once before they are passed on whole
      return this.#unchecked === null ? Promise.resolve(passed) : this.raw().then(() => passed);
    }
    return this.raw().then((raw) => encodeRaw(raw, options));
  }

  /** True for an RGBA PNG (colour type 6): PIL opens it in mode `RGBA`. */
  get isRgbaPng(): boolean {
    return this.#name === 'png' && this.#data.length > 25 && this.#data[25] === 6;
  }

  /** See {@link encodedPilMode}. */
  pilMode(transparent: boolean): PilMode | null {
    const colorType = this.#name === 'png' && this.#data.length > 25 ? this.#data[25] : undefined;
    if (this.#name === 'jpeg' || colorType === 2) return 'RGB';
    if (colorType === 6) return 'RGBA';
    if (this.#name === 'gif' || colorType === 3) return transparent ? 'RGBA' : 'P';
    return null;
  }

  /** The stored bytes when they are a PNG not decoded yet (for {@link decodeInto}). */
  get undecodedPng(): Buffer | null {
    return this.#name === 'png' && this.#raw === null && this.#pixels === null ? this.#data : null;
  }

  raw(): Promise<RawImage> {
    if (this.#pixels !== null) return (this.#raw ??= this.#pixels.raw());
    this.#raw ??= decodeToRaw(this.#data).then(
      (raw) => {
        if (raw.size[0] !== this.size[0] || raw.size[1] !== this.size[1]) {
          throw this.decodeFailed(
            new ImageError(
              `decoded ${raw.size.join('x')} pixels, header said ${this.size.join('x')}`,
              'IMAGE_DECODE',
            ),
          );
        }
        return raw;
      },
      (error: unknown) => {
        throw this.decodeFailed(error);
      },
    );
    return this.#raw;
  }

  /** `error` of a failed decode as this image reports it (its supplier's error while unchecked). */
  decodeFailed(error: unknown): unknown {
    return this.#unchecked !== null && error instanceof ImageError ? this.#unchecked(error) : error;
  }
}

/** Raw RGBA pixels; encodes on every `encode` call (callers encode once per response). */
class PixelImage implements ImageResult {
  readonly size: Size;
  readonly format = null;
  #raw: RawImage | null;
  /** Nobody else holds `#raw`'s buffer (pixels just computed for this image). */
  readonly #owned: boolean;

  constructor(raw: RawImage, owned: boolean) {
    this.#raw = raw;
    this.#owned = owned;
    this.size = raw.size;
  }

  encode(options: ImageFormatOptions): Promise<Encoded> {
    return this.#pixels().then((raw) => encodeRaw(raw, options));
  }

  raw(): Promise<RawImage> {
    return this.#pixels();
  }

  /** {@link encodeReleasing}: owned pixels go to the encoder without a copy, and leave this image. */
  encodeReleasing(options: ImageFormatOptions): Promise<Encoded> {
    const raw = this.#raw;
    if (raw === null || !this.#owned) return this.encode(options);
    this.#raw = null;
    return encodeRaw(raw, options, { movePixels: true });
  }

  #pixels(): Promise<RawImage> {
    if (this.#raw === null) {
      return Promise.reject(
        new ImageError('the pixels went to the last encode of this image', 'IMAGE_INVALID'),
      );
    }
    return Promise.resolve(this.#raw);
  }
}

/** An image with a last encode of its own (a resampling's, resampled-image.ts, or pixels'). */
interface ReleasingImage extends ImageResult {
  encodeReleasing(options: ImageFormatOptions): Promise<Encoded>;
}

/**
 * Encodes `image` for the last time (a response's map): pixels the image owns (`imageFromRaw`
 * with `owned`) are moved to the encoder's thread instead of copied there (a 512x512 map is 1 MB),
 * after which the image has none (`raw()` and `encode()` reject); an image with a last encode of
 * its own runs that; any other image encodes as `image.encode` does. Rejects as `encode` does.
 */
export function encodeReleasing(image: ImageResult, options: ImageFormatOptions): Promise<Encoded> {
  return 'encodeReleasing' in image
    ? (image as ReleasingImage).encodeReleasing(options)
    : image.encode(options);
}

/** The stored bytes of `image` when it is a PNG not decoded yet, else null. */
export function undecodedPng(image: ImageResult): Buffer | null {
  return image instanceof EncodedImage ? image.undecodedPng : null;
}

/**
 * Decodes `image` into `out` at byte `offset`, `rowStride` bytes a row, when it is an undecoded
 * PNG the JS decoder handles and whose header size it matches; false otherwise (call `raw()`).
 * Throws `ImageError` (`IMAGE_DECODE`) for a corrupt PNG.
 */
export function decodeInto(image: ImageResult, out: Uint8Array, offset: number, rowStride: number): boolean {
  const png = undecodedPng(image);
  if (png === null) return false;
  let decoded;
  try {
    decoded = decodePngRgba(png, { out, offset, rowStride, expect: image.size });
  } catch (error) {
    const failed = new ImageError(`cannot decode image: ${(error as Error).message}`, 'IMAGE_DECODE', {
      cause: error,
    });
    throw image instanceof EncodedImage ? image.decodeFailed(failed) : failed;
  }
  return decoded !== null;
}

/**
 * Whether PIL opens `image` in mode `RGBA`: an RGBA PNG, or pixels of our own (always RGBA). A
 * paletted, grey or RGB image, even with a transparent entry, is another mode.
 */
export function isRgbaMode(image: ImageResult): boolean {
  if (image instanceof EncodedImage) return image.isRgbaPng;
  return image.format === null;
}

/**
 * PIL's mode of `image` when it holds a source's encoded answer as MapProxy's `ImageSource` opens
 * it: `RGB` for a JPEG or an RGB PNG, `RGBA` for an RGBA PNG, and for a paletted PNG or a GIF `P`,
 * or `RGBA` from a `transparent` source (`as_image` converts P to RGBA then); null for our own
 * pixels and other encodings (see `pilMode` in merge.ts).
 */
export function encodedPilMode(image: ImageResult, transparent: boolean): PilMode | null {
  return image instanceof EncodedImage ? image.pilMode(transparent) : null;
}

/**
 * Wraps encoded bytes without decoding them. The encoding is sniffed from the magic bytes (png,
 * jpeg, gif, tiff, webp); the sniffed format wins over `format`, which is only a hint (a `mixed`
 * cache stores png and jpeg side by side). Throws `ImageError` (`IMAGE_DECODE`) when the bytes
 * are no image of those formats or the header holds no size. `unchecked`: the bytes may still be
 * broken past their header (a source's answer whose user decodes it anyway): a failed decode then
 * rejects with what `unchecked` makes of the `ImageError`, and an encode to their own format
 * decodes them before it passes them on. `pixels`: the image the bytes were encoded from (a tile
 * just created, as MapProxy's ImageSource keeps it beside its buffer): `raw()` gives its pixels,
 * not the (quantised, lossy) bytes' own, while an encode to the bytes' format gives the bytes.
 */
export function imageFromBytes(
  data: Buffer,
  format?: string,
  {
    unchecked = null,
    pixels = null,
  }: { readonly unchecked?: DecodeFailure | null; readonly pixels?: ImageResult | null } = {},
): ImageResult {
  const name = sniffFormat(data);
  if (name === null) {
    const hint = format === undefined ? '' : ` (expected ${format})`;
    throw new ImageError(`not an image${hint}: ${describe(data)}`, 'IMAGE_DECODE');
  }
  const size = headerSize(data, name);
  if (size === null) throw new ImageError(`unreadable ${name} header`, 'IMAGE_DECODE');
  return new EncodedImage(data, name, size, unchecked, pixels);
}

/**
 * Like {@link imageFromBytes}, but also decodes the pixels once, so corrupt bodies are found now.
 * Rejects with `ImageError` (`IMAGE_DECODE`).
 */
export async function loadImage(data: Buffer, format?: string): Promise<ImageResult> {
  const image = imageFromBytes(data, format);
  await image.raw();
  return image;
}

/**
 * Wraps RGBA pixels; `owned`: nothing else holds `raw.data`'s buffer (pixels just computed for
 * this image), so {@link encodeReleasing} may move it. Throws `ImageError` (`IMAGE_INVALID`) when
 * `data` does not match `size`.
 */
export function imageFromRaw(raw: RawImage, options: { readonly owned?: boolean } = {}): ImageResult {
  checkRaw(raw);
  return new PixelImage(raw, options.owned === true);
}

function describe(data: Buffer): string {
  if (data.length === 0) return 'empty body';
  const text = data
    .subarray(0, 60)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
  return `${data.length} bytes starting "${text}"`;
}
