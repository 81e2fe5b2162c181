/**
 * The colour a paletted GIF shows under its transparent pixels once PIL converts it to RGB
 * (MapProxy's `img_for_resampling` of a lone GIF tile): decoders give those pixels black.
 */
import { imageFromRaw } from './image-result.js';
import type { ImageResult } from './types.js';

/**
 * The palette colour of a GIF's transparent index (its first image's graphic control extension,
 * from the local colour table if the image has one, else the global one); null when it has none.
 * Decoders give transparent pixels black; PIL keeps the index, so a paletted GIF converted to RGB
 * (MapProxy `img_for_resampling`) shows this colour there.
 */
export function gifTransparentRgb(data: Buffer): readonly [number, number, number] | null {
  if (data.length < 13 || data.toString('latin1', 0, 3) !== 'GIF') return null;
  const tableOf = (flags: number): number => ((flags & 0x80) === 0 ? 0 : 3 << ((flags & 0x07) + 1));
  const globalAt = 13;
  const globalSize = tableOf(data[10] ?? 0);
  let at = globalAt + globalSize;
  let index: number | null = null;
  while (at < data.length) {
    const block = data[at];
    if (block === 0x21) {
      // an extension: label, then sub-blocks up to a zero length
      if (data[at + 1] === 0xf9 && data[at + 2] === 4 && ((data[at + 3] ?? 0) & 1) === 1) {
        index = data[at + 6] ?? null;
      }
      at += 2;
      while (at < data.length && data[at] !== 0) at += (data[at] ?? 0) + 1;
      at += 1;
    } else if (block === 0x2c) {
      if (index === null) return null;
      const localSize = tableOf(data[at + 9] ?? 0);
      const [tableAt, size] = localSize > 0 ? [at + 10, localSize] : [globalAt, globalSize];
      if (index * 3 + 3 > size || tableAt + index * 3 + 3 > data.length) return null;
      const i = tableAt + index * 3;
      return [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0];
    } else return null;
  }
  return null;
}

/**
 * `image`, decoded from the GIF `data`, with the RGB of its fully transparent pixels set to the
 * transparent index's palette colour (alpha kept 0); `image` itself when the GIF names none.
 */
export async function withGifTransparentRgb(image: ImageResult, data: Buffer): Promise<ImageResult> {
  const rgb = gifTransparentRgb(data);
  if (rgb === null) return image;
  const raw = await image.raw();
  const pixels = Buffer.from(raw.data);
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i + 3] === 0) pixels.set(rgb, i);
  }
  return imageFromRaw({ data: pixels, size: raw.size }, { owned: true });
}
