/**
 * The cache `watermark` tile filter's drawing (MapProxy `tilefilter.py` `watermark_filter` and
 * `message.py` `WatermarkImage`): faded text centred on a tile, or split over its left/right edges.
 */
import { renderSvg } from './codec.js';
import { imageFromRaw } from './image-result.js';
import { escapeSvg } from './message.js';
import type { ImageResult } from './types.js';

/** Where a tile's text goes: `c` centred, `b` halves at the left and right edges, null none. */
export type WatermarkPlacement = 'c' | 'b' | null;

/** How the text looks (MapProxy defaults: opacity 30, font size 24, grey 128). */
export interface WatermarkOptions {
  readonly text: string;
  /** Alpha of the text, 0-255; default 30. */
  readonly opacity?: number | undefined;
  /** Font size in pixels; default 24. */
  readonly fontSize?: number | undefined;
  /** RGB text colour; default `[128, 128, 128]`. */
  readonly color?: readonly [r: number, g: number, b: number] | undefined;
}

/**
 * MapProxy `tile_watermark_placement` for a tile at column `x`, row `y` (grid origin): odd rows
 * get the text at both edges so that it joins the neighbours'; with `wide` spacing only tiles
 * where the parities of `x` and `y` differ get text, centred.
 */
export function watermarkPlacement(x: number, y: number, wide: boolean): WatermarkPlacement {
  if (!wide) return y % 2 === 0 ? 'c' : 'b';
  return y % 2 !== x % 2 ? 'c' : null;
}

// DejaVu Sans ascender (1901/2048 em): Pillow puts the top of the text box at
// height / 2 - ascent / 2, so the baseline sits half an ascent below the middle
const ASCENT_EM = 1901 / 2048;

/**
 * `image` with the watermark drawn at `placement` (unchanged for null or empty text). The text is
 * DejaVu Sans through librsvg, so glyph shapes differ from Pillow's by a pixel or so. Rejects
 * with `ImageError` (`IMAGE_ENCODE`) when rendering fails.
 */
export async function drawWatermark(
  image: ImageResult,
  placement: WatermarkPlacement,
  options: WatermarkOptions,
): Promise<ImageResult> {
  if (placement === null || options.text === '') return image;
  const raw = await image.raw();
  const [width, height] = raw.size;
  const fontSize = options.fontSize ?? 24;
  const [r, g, b] = options.color ?? [128, 128, 128];
  const opacity = (options.opacity ?? 30) / 255;
  const baseline = Math.floor(height / 2) + (Math.round(ASCENT_EM * fontSize) >> 1);
  // MapProxy 'b' draws the text twice, centred on x = 0 ('cL') and on x = width ('cR')
  const centres = placement === 'c' ? [Math.floor(width / 2)] : [0, width];
  const texts = centres.map(
    (x) => `<text x="${x}" y="${baseline}" text-anchor="middle">${escapeSvg(options.text)}</text>`,
  );
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<g font-family="DejaVu Sans" font-size="${fontSize}" fill="rgb(${r},${g},${b})" fill-opacity="${opacity}" xml:space="preserve">` +
    `${texts.join('')}</g></svg>`;
  const layer = await renderSvg(svg, raw.size);
  // Pillow paste(text, mask=text): every channel, alpha included, blended through the text's alpha
  const out = Buffer.from(raw.data);
  for (let i = 0; i < out.length; i += 4) {
    const mask = layer.data[i + 3] ?? 0;
    if (mask === 0) continue;
    for (let c = 0; c < 4; c += 1) {
      const src = c === 3 ? mask : (layer.data[i + c] ?? 0);
      out[i + c] = Math.round(((out[i + c] ?? 0) * (255 - mask) + src * mask) / 255);
    }
  }
  return imageFromRaw({ data: out, size: raw.size });
}
