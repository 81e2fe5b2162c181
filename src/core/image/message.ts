/**
 * Images carrying a text message, as MapProxy 1.15 draws them (`image/message.py`
 * `message_image`/`ExceptionImage`): WMS in-image exceptions and the notice of failed sources on
 * a GetMap. The drawing itself is `pil-font.ts` (Pillow's default bitmap font, which is what
 * `ExceptionImage` draws with), shared with the debug source.
 */
import type { Size } from '../util/index.js';
import { pilMessageImage } from './pil-font.js';
import type { ImageResult } from './types.js';

/** How a message image looks. */
export interface MessageOptions {
  /** RGB background, default white. */
  readonly bgcolor?: readonly [r: number, g: number, b: number] | undefined;
  /** Transparent background (the bgcolor with alpha 0) instead of an opaque one; default false. */
  readonly transparent?: boolean | undefined;
}

/**
 * A `size` (pixels) image with `text` (lines split at `\n`) at the upper left, cut off at the
 * edges rather than wrapped, as in MapProxy: black, or white on a dark opaque background. Rejects
 * with `ImageError` (`IMAGE_INVALID`) for a bad size.
 */
export function messageImage(text: string, size: Size, options: MessageOptions = {}): Promise<ImageResult> {
  const { bgcolor, transparent } = options;
  // a throw in the executor (a bad size) becomes the rejection callers await
  return new Promise((resolve) => {
    resolve(
      pilMessageImage(text, size, {
        ...(bgcolor === undefined ? {} : { bgcolor }),
        ...(transparent === undefined ? {} : { transparent }),
      }),
    );
  });
}

/** Escapes text for SVG character data; drops characters XML 1.0 forbids. */
export function escapeSvg(text: string): string {
  return text
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
