/** Single-colour and transparent images (MapProxy `BlankImageSource`). */
import type { Size } from '../util/index.js';
import { encodeRaw, type Encoded } from './codec.js';
import { checkSize, filledBuffer, TRANSPARENT_WHITE, type Rgba } from './pixels.js';
import type { ImageFormatOptions, ImageResult, RawImage } from './types.js';

class BlankImage implements ImageResult {
  readonly size: Size;
  readonly format = null;
  readonly #color: Rgba;
  #raw: RawImage | null = null;

  constructor(size: Size, color: Rgba) {
    this.size = size;
    this.#color = color;
    checkSize(size);
  }

  encode(options: ImageFormatOptions): Promise<Encoded> {
    // MapProxy BlankImageSource.as_buffer encodes with colors = 0: blank tiles are never quantised
    return this.raw().then((raw) => encodeRaw(raw, { ...options, colors: 0 }));
  }

  raw(): Promise<RawImage> {
    this.#raw ??= { data: filledBuffer(this.size, this.#color), size: this.size };
    return Promise.resolve(this.#raw);
  }
}

/**
 * A `size` (pixels) image of one colour; `color` null (the default) is transparent white
 * `[255, 255, 255, 0]`, as MapProxy's `create_image` makes it. Encodes unquantised. Throws
 * `ImageError` (`IMAGE_INVALID`) for a size that is not two positive integers.
 */
export function blankImage(size: Size, color?: Rgba | null): ImageResult {
  return new BlankImage(size, color ?? TRANSPARENT_WHITE);
}
