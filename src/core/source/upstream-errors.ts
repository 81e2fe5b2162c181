/**
 * Turning upstream failures into what sources return: `on_error` colour tiles (MapProxy
 * `HTTPSourceErrorHandler`) or a `SourceError` whose text honours `hide_error_details`.
 */
import { UpstreamError } from '../client/index.js';
import type { ImageResult } from '../image/index.js';
import type { Size } from '../util/index.js';
import { SourceError } from './errors.js';
import { solidImage } from './images.js';
import type { OnErrorOptions } from './options.js';

/** How a cache must treat an image that stands in for a failed upstream request. */
export interface OnErrorInfo {
  /** `on_error.<status>.cache`: the tile may be stored. */
  readonly cacheable: boolean;
  /** `authorize_stale`: a stale cached tile should be served instead when one exists. */
  readonly authorizeStale: boolean;
}

const onErrorImages = new WeakMap<ImageResult, OnErrorInfo>();

/**
 * For an image a source returned: the `on_error` settings it was made under, or null for a real
 * upstream image. Caches use this to skip storing (`cache: false`) or to prefer a stale tile.
 */
export function onErrorInfo(image: ImageResult): OnErrorInfo | null {
  return onErrorImages.get(image) ?? null;
}

/**
 * The `on_error` image for a failure with HTTP `status` (null for timeouts, connection errors and
 * non-image replies: those use `other`), or null when `on_error` does not cover it.
 */
export function onErrorImage(
  onError: OnErrorOptions | undefined,
  status: number | null,
  size: Size,
): ImageResult | null {
  if (onError === undefined) return null;
  const response = (status !== null ? onError[status] : undefined) ?? onError.other;
  if (response === undefined) return null;
  const image = solidImage(size, response.color);
  onErrorImages.set(image, {
    cacheable: response.cache ?? false,
    authorizeStale: response.authorizeStale ?? false,
  });
  return image;
}

/**
 * `error` as a `SourceError`: for an `UpstreamError` MapProxy's short text
 * (`HTTP Error (see logs for URL and reason).`) unless `hideErrorDetails` is false, then the full
 * one (`HTTP Error "<url>": 500`). Other errors pass through unchanged.
 */
export function toSourceError(error: unknown, sourceName: string, hideErrorDetails: boolean): unknown {
  if (!(error instanceof UpstreamError)) return error;
  const summaryOnly = error.summary === error.message;
  const message =
    hideErrorDetails && !summaryOnly ? `${error.summary} (see logs for URL and reason).` : error.message;
  return new SourceError(message, 'SOURCE_HTTP', { sourceName, status: error.status, cause: error });
}
