/** Detects images of a single colour (for `link_single_color_images`, MapProxy `is_single_color_image`). */
import type { Rgba } from './pixels.js';
import type { ImageResult } from './types.js';

/** The `[r, g, b, a]` of an image that has exactly one RGBA value in every pixel, else null. */
export async function singleColor(image: ImageResult): Promise<Rgba | null> {
  const { data } = await image.raw();
  if (data.length < 4) return null;
  const first = data.readUInt32LE(0);
  for (let i = 4; i < data.length; i += 4) {
    if (data.readUInt32LE(i) !== first) return null;
  }
  return [data[0] ?? 0, data[1] ?? 0, data[2] ?? 0, data[3] ?? 0];
}
