/**
 * `UpstreamError`: an outbound HTTP request failed. Carries the status (if any) and the URL
 * without credentials; the message is MapProxy's full text, `summary` its short prefix.
 */
import { ProxyError } from '../util/index.js';

export const UPSTREAM_ERROR_CODES = [
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_CONNECT',
  'UPSTREAM_TLS',
  'UPSTREAM_STATUS',
  'UPSTREAM_INVALID_URL',
  'UPSTREAM_ABORTED',
  'UPSTREAM_INTERNAL',
] as const;
export type UpstreamErrorCode = (typeof UPSTREAM_ERROR_CODES)[number];

export interface UpstreamErrorDetails {
  /** The URL with `user:pass@` removed. */
  readonly url: string;
  /** HTTP status when the upstream answered, else null. */
  readonly status?: number | null;
  /**
   * MapProxy's message prefix (`HTTP Error`, `No response from URL`, ...): what clients see with
   * `hide_error_details: true`, followed by ` (see logs for URL and reason).`.
   */
  readonly summary: string;
  readonly cause?: unknown;
}

export class UpstreamError extends ProxyError {
  declare readonly code: UpstreamErrorCode;
  readonly url: string;
  readonly status: number | null;
  readonly summary: string;

  /** `message` is MapProxy's `full_msg`, e.g. `HTTP Error "http://host/wms?...": 500`. */
  constructor(message: string, code: UpstreamErrorCode, details: UpstreamErrorDetails) {
    super(message, code, { cause: details.cause });
    this.url = details.url;
    this.status = details.status ?? null;
    this.summary = details.summary;
  }
}
