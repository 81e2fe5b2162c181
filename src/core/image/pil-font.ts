/**
 * Text drawn glyph for glyph as MapProxy 1.15 draws it with Pillow's default bitmap font
 * (`ImageFont.load_default()`): the debug source's bbox text is part of every debug tile, so
 * only the same bitmap gives the same pixels. Pure pixel copying, no sharp: a few hundred pixels
 * per line.
 */
import type { Size } from '../util/index.js';
import { imageFromRaw } from './image-result.js';
import { PIL_DEFAULT_GLYPHS, type PilGlyph } from './pil-font-data.js';
import { filledBuffer, type Rgba } from './pixels.js';
import type { ImageResult } from './types.js';

const EMPTY: PilGlyph = [0, 0, 0, 0, []];
// Pillow's font object: the line box spans the lowest and highest glyph edge, 0 included
const TOP = Math.min(0, ...PIL_DEFAULT_GLYPHS.map(([, , top]) => top));
const BOTTOM = Math.max(0, ...PIL_DEFAULT_GLYPHS.map(([, , top, , rows]) => top + rows.length));
/** The height of every line (Pillow `getsize(text)[1]`). */
export const PIL_LINE_HEIGHT = BOTTOM - TOP;

/**
 * Latin-1 codes of `lines`. Pillow encodes text as latin-1; when a line cannot be, MapProxy's
 * `TextDraw` re-encodes every line as ASCII with `?` for each other character.
 */
function codesOf(lines: readonly string[]): number[][] {
  // Python iterates code points, as Array.from does
  const codes = lines.map((line) => Array.from(line, (c) => c.codePointAt(0) ?? 0));
  const latin1 = codes.every((line) => line.every((code) => code <= 0xff));
  return latin1 ? codes : codes.map((line) => line.map((code) => (code < 0x80 ? code : 0x3f)));
}

/** The width of a line of latin-1 codes: the sum of the advances (Pillow `getsize(text)[0]`). */
function widthOf(codes: readonly number[]): number {
  return codes.reduce((sum, code) => sum + (PIL_DEFAULT_GLYPHS[code] ?? EMPTY)[0], 0);
}

/**
 * The 0/1 mask of a line, as Pillow's `font.getmask`: each glyph is pasted (not or-ed) at its
 * offset from the pen, so a glyph reaching left over its neighbour overwrites that column.
 */
function lineMask(codes: readonly number[]): { readonly width: number; readonly bits: Uint8Array } {
  const width = widthOf(codes);
  const bits = new Uint8Array(width * PIL_LINE_HEIGHT);
  let pen = 0;
  for (const code of codes) {
    const [advance, left, top, glyphWidth, rows] = PIL_DEFAULT_GLYPHS[code] ?? EMPTY;
    rows.forEach((row, r) => {
      const y = top - TOP + r;
      for (let c = 0; c < glyphWidth; c++) {
        const x = pen + left + c;
        if (x < 0 || x >= width || y < 0 || y >= PIL_LINE_HEIGHT) continue;
        bits[y * width + x] = (row >> (glyphWidth - 1 - c)) & 1;
      }
    });
    pen += advance;
  }
  return { width, bits };
}

/** Draws `lines` into an RGBA `canvas` of `size`, line i at (x, y + i * (height + spacing)). */
function drawLines(
  canvas: Buffer,
  size: Size,
  lines: readonly string[],
  origin: readonly [x: number, y: number],
  lineSpacing: number,
  color: Rgba,
): void {
  const [canvasWidth, canvasHeight] = size;
  codesOf(lines).forEach((codes, i) => {
    const { width, bits } = lineMask(codes);
    const top = origin[1] + i * (PIL_LINE_HEIGHT + lineSpacing);
    for (let y = 0; y < PIL_LINE_HEIGHT; y++) {
      const cy = top + y;
      if (cy < 0 || cy >= canvasHeight) continue;
      for (let x = 0; x < width; x++) {
        const cx = origin[0] + x;
        if (bits[y * width + x] === 0 || cx < 0 || cx >= canvasWidth) continue;
        canvas.set(color, (cy * canvasWidth + cx) * 4);
      }
    }
  });
}

const PADDING_PX = 3;
const LINE_SPACING_PX = 5;

/**
 * MapProxy's `ExceptionImage` with its default font (what `message_image` draws, e.g. for the
 * debug source): `text` split at `\n`, lines at the upper left (padding 3, line spacing 5) on
 * `bgcolor` (default white, alpha 0 when `transparent`), black, or white on a dark opaque
 * background (luminance < 128).
 */
export function pilMessageImage(
  text: string,
  size: Size,
  options: { readonly transparent?: boolean; readonly bgcolor?: readonly [number, number, number] } = {},
): ImageResult {
  const [r, g, b] = options.bgcolor ?? [255, 255, 255];
  const transparent = options.transparent ?? false;
  const canvas = filledBuffer(size, [r, g, b, transparent ? 0 : 255]);
  const dark = !transparent && (r * 299 + g * 587 + b * 114) / 1000 < 128;
  const color: Rgba = dark ? [255, 255, 255, 255] : [0, 0, 0, 255];
  if (text.length > 0)
    drawLines(canvas, size, text.split('\n'), [PADDING_PX, PADDING_PX], LINE_SPACING_PX, color);
  return imageFromRaw({ data: canvas, size });
}
