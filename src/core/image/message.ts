/**
 * Images carrying a text message: WMS in-image exceptions and the debug source (MapProxy
 * `message.py` `ExceptionImage`): lines drawn at the upper left on the background colour.
 */
import type { Size } from '../util/index.js';
import { renderSvg } from './codec.js';
import { alphaCompositeInto, pasteWithAlphaInto } from './composite.js';
import { imageFromRaw } from './image-result.js';
import { checkSize, filledBuffer } from './pixels.js';
import type { ImageResult } from './types.js';

/** How a message image looks. */
export interface MessageOptions {
  /** RGB background, default white. */
  readonly bgcolor?: readonly [r: number, g: number, b: number] | undefined;
  /** Transparent background (alpha 0) instead of an opaque `bgcolor`; default false. */
  readonly transparent?: boolean | undefined;
  /** `ul` (upper left, the exception layout, default) or `cc` (centred lines). */
  readonly placement?: 'ul' | 'cc' | undefined;
  /** Font size in pixels, default 10. */
  readonly fontSize?: number | undefined;
}

const PADDING_PX = 3;
const LINE_SPACING_PX = 5;

/**
 * A `size` (pixels) image with `text` (lines split at `\n`) drawn in a monospace font: black, or
 * white on a dark opaque background (MapProxy picks by luminance < 128). The text is escaped for
 * the SVG it is rendered from. Rejects with `ImageError` (`IMAGE_INVALID` for a bad size,
 * `IMAGE_ENCODE` when rendering fails).
 */
export async function messageImage(
  text: string,
  size: Size,
  options: MessageOptions = {},
): Promise<ImageResult> {
  checkSize(size);
  const [r, g, b] = options.bgcolor ?? [255, 255, 255];
  const transparent = options.transparent ?? false;
  const canvas = filledBuffer(size, [r, g, b, transparent ? 0 : 255]);
  const lines = text.split('\n');
  if (text.length > 0) {
    const dark = !transparent && 0.299 * r + 0.587 * g + 0.114 * b < 128;
    const layer = await renderSvg(svgFor(lines, size, options, dark ? 'white' : 'black'), size);
    if (transparent) alphaCompositeInto(canvas, layer.data);
    else pasteWithAlphaInto(canvas, layer.data);
  }
  return imageFromRaw({ data: canvas, size });
}

function svgFor(lines: readonly string[], size: Size, options: MessageOptions, color: string): string {
  const fontSize = options.fontSize ?? 10;
  const lineHeight = fontSize + LINE_SPACING_PX;
  const centred = options.placement === 'cc';
  const top = centred ? (size[1] - lines.length * lineHeight + LINE_SPACING_PX) / 2 : PADDING_PX;
  const rows = lines.map((line, i) => {
    const y = top + i * lineHeight + fontSize * 0.8; // baseline
    const x = centred ? size[0] / 2 : PADDING_PX;
    return `<text x="${x}" y="${y}"${centred ? ' text-anchor="middle"' : ''}>${escapeSvg(line)}</text>`;
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size[0]}" height="${size[1]}">` +
    `<g font-family="DejaVu Sans Mono, monospace" font-size="${fontSize}" fill="${color}" xml:space="preserve">` +
    `${rows.join('')}</g></svg>`
  );
}

/** Escapes text for SVG character data; drops characters XML 1.0 forbids. */
export function escapeSvg(text: string): string {
  return text
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
