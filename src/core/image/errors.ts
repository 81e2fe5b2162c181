/** The image module's error: undecodable bytes, unknown formats, bad options or pixel buffers. */
import { ProxyError } from '../util/index.js';

/** Stable codes of {@link ImageError}. */
export const IMAGE_ERROR_CODES = [
  'IMAGE_DECODE',
  'IMAGE_ENCODE',
  'IMAGE_FORMAT',
  'IMAGE_INVALID',
  'IMAGE_OPTION',
  'IMAGE_TRANSFORM',
] as const;
export type ImageErrorCode = (typeof IMAGE_ERROR_CODES)[number];

/**
 * Raised by `image/`: `IMAGE_DECODE` (bytes are not a readable image), `IMAGE_ENCODE` (the encoder
 * failed), `IMAGE_FORMAT` (unsupported output format), `IMAGE_INVALID` (a pixel buffer or size that
 * does not add up), `IMAGE_OPTION` (an invalid `image` option), `IMAGE_TRANSFORM` (reprojection).
 */
export class ImageError extends ProxyError {
  declare readonly code: ImageErrorCode;
  // narrows `code` to ImageErrorCode for callers; not useless despite only calling super
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(message: string, code: ImageErrorCode, options?: { cause?: unknown }) {
    super(message, code, options);
  }
}
