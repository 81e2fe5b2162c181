/** Small helpers on raw RGBA buffers: canvases, validation, transparency checks. */
import type { Size } from '../util/index.js';
import { ImageError } from './errors.js';
import type { RawImage } from './types.js';

/** An `[r, g, b, a]` colour, each 0-255. */
export type Rgba = readonly [r: number, g: number, b: number, a: number];

/** MapProxy `create_image`'s default background: white, alpha 0 when transparent. */
export const TRANSPARENT_WHITE: Rgba = [255, 255, 255, 0];

/** A `size` RGBA buffer filled with `color`. Throws `ImageError` (`IMAGE_INVALID`) for a bad size. */
export function filledBuffer(size: Size, color: Rgba): Buffer {
  checkSize(size);
  const data = Buffer.alloc(size[0] * size[1] * 4);
  const [r, g, b, a] = color;
  if (r === 0 && g === 0 && b === 0 && a === 0) return data;
  const pixel = ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;
  for (let i = 0; i < data.length; i += 4) data.writeUInt32BE(pixel, i);
  return data;
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
  const { data } = raw;
  for (let i = 3; i < data.length; i += 4) {
    if (data[i] !== 255) return true;
  }
  return false;
}
