/** Small helpers on raw RGBA buffers: canvases, validation, transparency checks. */
import type { Size } from '../util/index.js';
import { ImageError } from './errors.js';
import type { RawImage } from './types.js';

/** An `[r, g, b, a]` colour, each 0-255. */
export type Rgba = readonly [r: number, g: number, b: number, a: number];

/** MapProxy `create_image`'s default background: white, alpha 0 when transparent. */
export const TRANSPARENT_WHITE: Rgba = [255, 255, 255, 0];
/** The same for an opaque image (MapProxy's RGB `create_image`). */
export const OPAQUE_WHITE: Rgba = [255, 255, 255, 255];

/**
 * Whether MapProxy's `create_image` makes an RGB canvas for image options of `mode` and
 * `transparent`: for mode RGB (also when transparent), and without a mode (or P) when not
 * transparent; an RGBA one otherwise (alpha 0 when transparent). A paste onto an RGB canvas keeps
 * the pasted colours and drops their alpha.
 */
export function isRgbCanvas(mode: 'RGB' | 'RGBA' | 'P' | null | undefined, transparent: boolean): boolean {
  return mode === 'RGB' || (mode !== 'RGBA' && !transparent);
}

/** A `size` RGBA buffer filled with `color`. Throws `ImageError` (`IMAGE_INVALID`) for a bad size. */
export function filledBuffer(size: Size, color: Rgba): Buffer {
  checkSize(size);
  const data = Buffer.alloc(size[0] * size[1] * 4);
  const [r, g, b, a] = color;
  if (r !== 0 || g !== 0 || b !== 0 || a !== 0) fillRgba(data, color);
  return data;
}

/** Sets every RGBA pixel of `data` to `color`. */
export function fillRgba(data: Uint8Array, [r, g, b, a]: Rgba): void {
  if (r === 0 && g === 0 && b === 0 && a === 0) {
    data.fill(0);
    return;
  }
  for (let i = 0; i < data.length; i += 4) {
    data[i] = r;
    data[i + 1] = g;
    data[i + 2] = b;
    data[i + 3] = a;
  }
}

/** Throws `ImageError` (`IMAGE_INVALID`) unless `size` is two positive integers. */
export function checkSize(size: Size): void {
  const [width, height] = size;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new ImageError(`invalid image size ${size.join('x')}`, 'IMAGE_INVALID');
  }
}

/** Throws `ImageError` (`IMAGE_INVALID`) unless `raw.data` holds exactly width*height RGBA pixels. */
export function checkRaw(raw: RawImage): void {
  checkSize(raw.size);
  const expected = raw.size[0] * raw.size[1] * 4;
  if (raw.data.length !== expected) {
    throw new ImageError(
      `raw image of ${raw.size.join('x')} needs ${expected} bytes, got ${raw.data.length}`,
      'IMAGE_INVALID',
    );
  }
}

/** True when any pixel has alpha < 255 (MapProxy `img_has_transparency`). */
export function hasTransparency(raw: RawImage): boolean {
  return hasTranslucentPixel(raw.data);
}

/** {@link hasTransparency} of bare RGBA bytes. */
export function hasTranslucentPixel(data: Uint8Array): boolean {
  return nextTranslucent(data, rgbaWords(data), 0) >= 0;
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * RGBA `data` as one 32-bit word a pixel with alpha in the top byte (a little-endian view on the
 * same memory), or null where that does not hold (big-endian, or not word-aligned).
 */
export function rgbaWords(data: Uint8Array): Uint32Array | null {
  if (!LITTLE_ENDIAN || data.byteOffset % 4 !== 0) return null;
  return new Uint32Array(data.buffer, data.byteOffset, data.length >>> 2);
}

/**
 * The index of the first pixel of RGBA `data`, from pixel `from` on, whose alpha is below 255, or
 * -1. With `words` ({@link rgbaWords} of `data`) eight opaque pixels are passed at a time, by one
 * AND of their words: scans of mostly opaque maps run ~2x faster than pixel by pixel.
 */
export function nextTranslucent(data: Uint8Array, words: Uint32Array | null, from: number): number {
  const pixels = data.length >>> 2;
  let i = from;
  if (words !== null) {
    for (const end = pixels - 7; i < end; i += 8) {
      const all =
        (words[i] as number) &
        (words[i + 1] as number) &
        (words[i + 2] as number) &
        (words[i + 3] as number) &
        (words[i + 4] as number) &
        (words[i + 5] as number) &
        (words[i + 6] as number) &
        (words[i + 7] as number);
      if (all >>> 24 !== 255) break;
    }
  }
  for (; i < pixels; i += 1) if (data[i * 4 + 3] !== 255) return i;
  return -1;
}
