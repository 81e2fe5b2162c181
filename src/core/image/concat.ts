/**
 * Legends stacked top to bottom on a transparent canvas, left aligned (MapProxy `concat_legends`).
 */
import { blankImage } from './blank.js';
import { imageFromRaw } from './image-result.js';
import type { ImageResult } from './types.js';

/** One image of all `images` stacked vertically; a 1x1 transparent image when there are none. */
export async function concatImages(images: readonly ImageResult[]): Promise<ImageResult> {
  if (images.length === 0) return blankImage([1, 1], [255, 255, 255, 0]);
  if (images.length === 1 && images[0] !== undefined) return images[0];
  const raws = await Promise.all(images.map((image) => image.raw()));
  const width = Math.max(...raws.map((r) => r.size[0]));
  const height = raws.reduce((sum, r) => sum + r.size[1], 0);
  const data = Buffer.alloc(width * height * 4);
  let top = 0;
  for (const raw of raws) {
    const [w, h] = raw.size;
    for (let y = 0; y < h; y++) raw.data.copy(data, (top + y) * width * 4, y * w * 4, (y + 1) * w * 4);
    top += h;
  }
  return imageFromRaw({ data, size: [width, height] });
}
