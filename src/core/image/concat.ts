/**
 * Legends stacked into one image as MapProxy 1.15's `concat_legends` does: the last legend on top,
 * left aligned, pasted onto transparent white, RGBA legends through their own alpha as mask.
 */
import { blankImage } from './blank.js';
import { imageFromRaw, isRgbaMode } from './image-result.js';
import type { ImageResult } from './types.js';

/**
 * One image of all `images`; a 1x1 transparent white image when there are none, the image itself
 * when there is one. Several are stacked bottom-up: `images[0]` ends up at the bottom. An RGBA
 * legend is blended in (PIL `paste(img, pos, img)`: every channel, alpha too, weighted by the
 * legend's alpha), any other is copied.
 */
export async function concatImages(images: readonly ImageResult[]): Promise<ImageResult> {
  if (images.length === 0) return blankImage([1, 1], [255, 255, 255, 0]);
  if (images.length === 1 && images[0] !== undefined) return images[0];
  const stacked = [...images].reverse();
  const raws = await Promise.all(stacked.map((image) => image.raw()));
  const width = Math.max(...raws.map((r) => r.size[0]));
  const height = raws.reduce((sum, r) => sum + r.size[1], 0);
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set([255, 255, 255, 0], i);
  let top = 0;
  raws.forEach((raw, index) => {
    const blend = isRgbaMode(stacked[index] as ImageResult);
    const [w, h] = raw.size;
    for (let y = 0; y < h; y++) {
      const from = y * w * 4;
      const to = (top + y) * width * 4;
      if (!blend) {
        raw.data.copy(data, to, from, from + w * 4);
        continue;
      }
      for (let i = 0; i < w * 4; i += 4) {
        const mask = raw.data[from + i + 3] ?? 0;
        for (let c = 0; c < 4; c++)
          data[to + i + c] = pilBlend(raw.data[from + i + c] ?? 0, data[to + i + c] ?? 0, mask);
      }
    }
    top += h;
  });
  return imageFromRaw({ data, size: [width, height] });
}

/** PIL's `BLEND` of Paste.c: `in1 * mask + in2 * (255 - mask)`, divided by 255 with rounding. */
function pilBlend(in1: number, in2: number, mask: number): number {
  const t = in1 * mask + in2 * (255 - mask) + 128;
  return ((t >> 8) + t) >> 8;
}
