/**
 * A source's `image.transparent_color` (MapProxy `image/__init__.py` `make_transparent`): every
 * pixel within a tolerance of one colour becomes fully transparent.
 */
import { imageFromRaw } from './image-result.js';
import { withPilColorLength } from './merge.js';
import type { ImageResult } from './types.js';

/**
 * `image` with each pixel whose first `color.length` channels (RGB, or RGBA for a colour with
 * alpha) all lie within `[c - tolerance, c + tolerance]` made transparent; other pixels keep
 * their alpha (MapProxy multiplies the mask into an existing alpha channel, so 255 keeps it).
 * Rejects with `ImageError` (`IMAGE_DECODE`) when `image` cannot be decoded.
 */
export async function makeTransparent(
  image: ImageResult,
  color: readonly number[],
  tolerance: number,
): Promise<ImageResult> {
  const raw = await image.raw();
  const data = Buffer.from(raw.data);
  const channels = Math.min(color.length, 4);
  const low = color.slice(0, channels).map((c) => c - tolerance);
  const high = color.slice(0, channels).map((c) => c + tolerance);
  for (let i = 0; i < data.length; i += 4) {
    let matches = true;
    for (let c = 0; c < channels && matches; c++) {
      const value = data[i + c] ?? 0;
      matches = value >= (low[c] ?? 0) && value <= (high[c] ?? 0);
    }
    if (matches) data[i + 3] = 0;
  }
  // MapProxy make_transparent returns RGBA: a single-colour tile of it is named with 4 values
  return withPilColorLength(imageFromRaw({ data, size: raw.size }), 4);
}
