/**
 * The `mapproxy.source.request` line MapProxy writes for every upstream request
 * (`client/log.py`): `METHOD URL STATUS SIZE_KB MS`.
 */
import { getLogger, pyFixed } from '../util/index.js';

const logger = getLogger('mapproxy.source.request');

/** What one finished (or failed) upstream request looked like. */
export interface RequestLogEntry {
  readonly method: string;
  /** Without credentials. */
  readonly url: string;
  /** HTTP status, or null when no response arrived. */
  readonly status: number | null;
  /** The `Content-Length` header as sent, or null. */
  readonly contentLength: string | null;
  /** Milliseconds until the response headers (or the failure). */
  readonly durationMs: number;
}

/**
 * Formats like MapProxy: spaces removed from the URL, `-` for a missing status, size as
 * `Content-Length / 1024` with one decimal (Python rounding: 256 bytes is `0.2`) or `-`, duration as whole milliseconds.
 * e.g. `GET http://127.0.0.1:8001/tiles/0/0/0.png 200 0.7 10`, `GET http://…/x - - 3`.
 */
export function formatRequestLog(entry: RequestLogEntry): string {
  const length =
    entry.contentLength === null || entry.contentLength === '' ? NaN : Number(entry.contentLength);
  const size = Number.isFinite(length) ? pyFixed(Math.trunc(length) / 1024, 1) : '-';
  const status = entry.status === null || entry.status === 0 ? '-' : String(entry.status);
  // Python's '%d' % (seconds * 1000) truncates; MapProxy prints '-' only for a zero duration
  const duration = entry.durationMs > 0 ? String(Math.trunc(entry.durationMs)) : '-';
  return `${entry.method} ${entry.url.replaceAll(' ', '')} ${status} ${size} ${duration}`;
}

/** Writes the line at INFO on `mapproxy.source.request` (skipped cheaply when disabled). */
export function logRequest(entry: RequestLogEntry): void {
  if (!logger.isEnabled('info')) return;
  logger.info(formatRequestLog(entry));
}
