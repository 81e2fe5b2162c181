/** Detects images of a single colour (for `link_single_color_images`, MapProxy `is_single_color_image`). */
import type { Rgba } from './pixels.js';
import type { ImageResult } from './types.js';

/**
 * The `[r, g, b, a]` of an image that has exactly one RGBA value in every pixel, else null. With
 * `rgbOnly`, one RGB value is enough (the image is RGB where MapProxy looks at it: alpha does not
 * count); the first pixel's alpha is answered.
 */
export async function singleColor(image: ImageResult, rgbOnly = false): Promise<Rgba | null> {
  const { data } = await image.raw();
  if (data.length < 4) return null;
  const mask = rgbOnly ? 0x00ffffff : 0xffffffff;
  const first = (data.readUInt32LE(0) & mask) >>> 0;
  for (let i = 4; i < data.length; i += 4) {
    if ((data.readUInt32LE(i) & mask) >>> 0 !== first) return null;
  }
  return [data[0] ?? 0, data[1] ?? 0, data[2] ?? 0, data[3] ?? 0];
}
