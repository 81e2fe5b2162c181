/**
 * The WMS attribution (MapProxy 1.15 `message.py` `AttributionImage`): the text in DejaVu Sans 10,
 * black, in the lower right corner on a white box of alpha 120, padding 3, lines 5 px apart.
 */
import type { Size } from '../util/index.js';
import { renderSvg } from './codec.js';
import { imageFromRaw } from './image-result.js';
import { escapeSvg } from './message.js';
import type { ImageResult } from './types.js';

const FONT_SIZE = 10;
/** Pillow draws a line's top at the font's ascent above the baseline: DejaVu Sans at 10 px, 10. */
const ASCENT = 10;
const PADDING = 3;
const LINE_SPACING = 5;
/** Coverage from which a pixel counts as ink for the line height. */
const INK_ALPHA = 32;
const BOX: readonly number[] = [255, 255, 255, 120];
const TEXT_STYLE = `font-family="DejaVu Sans" font-size="${FONT_SIZE}" xml:space="preserve"`;

interface TextBlock {
  /** Width and height of all lines (Pillow `textsize`: ink right and bottom from the line's top). */
  readonly size: Size;
  /** The lines on a transparent canvas of `size`, black, as alpha. */
  readonly alpha: Buffer;
}

/** Rendered attribution texts; a service has one, a few survive reloads. */
const blocks = new Map<string, Promise<TextBlock>>();

/**
 * A transparent `size` image with `text` (lines split at `\n`) in the lower right corner on its
 * half-transparent white box, to merge over a map. Glyphs come from librsvg, so they differ from
 * Pillow's by a pixel or so; box, placement and blending are MapProxy's. Rejects with
 * `ImageError` (`IMAGE_ENCODE`) when rendering fails.
 */
export async function attributionImage(text: string, size: Size): Promise<ImageResult> {
  let block = blocks.get(text);
  if (block === undefined) {
    block = renderBlock(text);
    if (blocks.size > 16) blocks.clear();
    blocks.set(text, block);
  }
  const { size: textSize, alpha } = await block;
  const [width, height] = size;
  const [textWidth, textHeight] = textSize;
  // MapProxy TextDraw._place_boxes, placement 'lr'
  const left = width - PADDING - textWidth;
  const top = height - PADDING - textHeight;
  const data = Buffer.alloc(width * height * 4);
  // ImageDraw.rectangle: both corners included, the fill written as it is (no blending)
  for (let y = Math.max(0, top - PADDING); y <= Math.min(height - 1, top + textHeight + PADDING); y++) {
    for (let x = Math.max(0, left - PADDING); x <= Math.min(width - 1, left + textWidth + PADDING); x++) {
      data.set(BOX, (y * width + x) * 4);
    }
  }
  // ImageDraw.text: black blended into every channel, alpha included, through the glyph coverage
  for (let ty = 0; ty < textHeight; ty++) {
    const y = top + ty;
    if (y < 0 || y >= height) continue;
    for (let tx = 0; tx < textWidth; tx++) {
      const x = left + tx;
      const mask = alpha[ty * textWidth + tx] ?? 0;
      if (x < 0 || x >= width || mask === 0) continue;
      const i = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) data[i + c] = pilBlend(0, data[i + c] ?? 0, mask);
      data[i + 3] = pilBlend(255, data[i + 3] ?? 0, mask);
    }
  }
  return imageFromRaw({ data, size });
}

/** PIL's `BLEND`: `in1 * mask + in2 * (255 - mask)`, divided by 255 with rounding. */
function pilBlend(in1: number, in2: number, mask: number): number {
  const t = in1 * mask + in2 * (255 - mask) + 128;
  return ((t >> 8) + t) >> 8;
}

/** The lines measured (ink extent from each line's top) and stacked as Pillow's TextDraw does. */
async function renderBlock(text: string): Promise<TextBlock> {
  const lines = text.split('\n');
  const sizes = await Promise.all(lines.map(measureLine));
  const tops: number[] = [];
  let y = 0;
  for (const [, h] of sizes) {
    tops.push(y);
    y += h + LINE_SPACING;
  }
  const width = Math.max(1, ...sizes.map(([w]) => w));
  const height = Math.max(1, ...sizes.map(([, h], i) => (tops[i] ?? 0) + h));
  const texts = lines.map(
    (line, i) => `<text x="0" y="${(tops[i] ?? 0) + ASCENT}">${escapeSvg(line)}</text>`,
  );
  const raw = await renderSvg(svg(width, height, texts.join('')), [width, height]);
  const alpha = Buffer.alloc(width * height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = raw.data[i * 4 + 3] ?? 0;
  return { size: [width, height], alpha };
}

/** Pillow `textsize` of one line: the right and bottom of its ink, from the line's top left. */
async function measureLine(line: string): Promise<Size> {
  if (line.trim() === '') return [0, 0];
  const canvas: Size = [FONT_SIZE * (line.length + 2), FONT_SIZE * 3];
  const raw = await renderSvg(
    svg(canvas[0], canvas[1], `<text x="0" y="${ASCENT}">${escapeSvg(line)}</text>`),
    canvas,
  );
  let right = 0;
  let bottom = 0;
  for (let y = 0; y < canvas[1]; y++) {
    for (let x = 0; x < canvas[0]; x++) {
      const alpha = raw.data[(y * canvas[0] + x) * 4 + 3] ?? 0;
      // any coverage counts for the width, a solid pixel for the height: closest to Pillow's
      // glyph boxes on DejaVu Sans (within a pixel)
      if (alpha > 0) right = Math.max(right, x + 1);
      if (alpha >= INK_ALPHA) bottom = Math.max(bottom, y + 1);
    }
  }
  return [right, bottom];
}

function svg(width: number, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<g ${TEXT_STYLE} fill="black">${body}</g></svg>`
  );
}
