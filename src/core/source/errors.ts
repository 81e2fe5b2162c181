/**
 * `SourceError`: a source could not deliver an image. Its message is what clients may see (no
 * credentials; URL and reason only when `hide_error_details: false`); `cause` keeps the full story.
 */
import { ProxyError } from '../util/index.js';

export const SOURCE_ERROR_CODES = [
  'SOURCE_HTTP',
  'SOURCE_NOT_IMAGE',
  'SOURCE_IMAGE_SIZE',
  'SOURCE_INVALID_QUERY',
  'SOURCE_INVALID_CONFIG',
  'SOURCE_UNSUPPORTED',
] as const;
export type SourceErrorCode = (typeof SOURCE_ERROR_CODES)[number];

export class SourceError extends ProxyError {
  declare readonly code: SourceErrorCode;
  /** Config name of the failing source. */
  readonly sourceName: string;
  /** HTTP status of the upstream reply when there was one (for `on_error` and logs). */
  readonly status: number | null;

  constructor(
    message: string,
    code: SourceErrorCode,
    options: { sourceName: string; status?: number | null; cause?: unknown },
  ) {
    super(message, code, { cause: options.cause });
    this.sourceName = options.sourceName;
    this.status = options.status ?? null;
  }
}
