/** Errors of the cache module: tile storage failures and tile-creation lock timeouts. */
import { ProxyError } from '../util/index.js';

/** Stable codes of `CacheError`. */
export const CACHE_ERROR_CODES = [
  'CACHE_LOCK_TIMEOUT',
  'CACHE_LOCK',
  'CACHE_WRITE',
  'CACHE_READ',
  'CACHE_INVALID_OPTION',
  'CACHE_INVALID_DIMENSION',
] as const;
export type CacheErrorCode = (typeof CACHE_ERROR_CODES)[number];

/**
 * A cache that cannot be read, written or locked. `LockTimeout` (MapProxy's name) is the
 * `CACHE_LOCK_TIMEOUT` case: another creator held the meta-tile lock longer than `http.client_timeout`.
 */
export class CacheError extends ProxyError {
  declare readonly code: CacheErrorCode;
  /** The file or lock path involved, when there is one. */
  readonly path: string | undefined;
  constructor(
    message: string,
    code: CacheErrorCode,
    options?: { cause?: unknown; path?: string | undefined },
  ) {
    super(message, code, options);
    this.path = options?.path;
  }
}
