/**
 * Building blocks shared by the services: document and plain-text responses, MapProxy's
 * `base_url` (script URL plus the quoted path) and the translation of source/cache failures.
 */
import { getLogger, ProxyError, withCauses } from '../util/index.js';
import { OgcError } from './errors.js';
import type { CachePolicy, ServiceRequest, ServiceResponse } from './types.js';

/** `text/xml` documents carry a charset, as MapProxy adds one to every `text/*` mimetype. */
export const TEXT_XML_UTF8 = 'text/xml; charset=utf-8';
export const TEXT_PLAIN_UTF8 = 'text/plain; charset=utf-8';
export const NO_CACHE: CachePolicy = { kind: 'no-cache' };
export const NO_CACHE_HEADERS: CachePolicy = { kind: 'none' };

const cacheLog = getLogger('mapproxy.cache');

export function documentResponse(
  body: string,
  contentType: string,
  status = 200,
  cache: CachePolicy = NO_CACHE_HEADERS,
): ServiceResponse {
  return { status, contentType, body, cache };
}

/** Python's `urllib.parse.quote(path)`: everything but `A-Za-z0-9_.-~/` percent-encoded (UTF-8). */
export function pyQuote(path: string): string {
  return Array.from(new TextEncoder().encode(path), (byte) => {
    const ch = String.fromCharCode(byte);
    return /[A-Za-z0-9_.\-~/]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

/** MapProxy `Request.base_url`: the script URL plus the quoted request path. */
export function baseUrl(request: ServiceRequest): string {
  return request.scriptUrl + pyQuote(request.path);
}

/**
 * A failure from `TileLayer.getTile` as the request error MapProxy raises for a `SourceError`
 * (`RequestError(msg, internal=True)`); a cache's failure is logged (MapProxy's server logs such an
 * unexpected error with its traceback). Source and cache errors carry client-safe messages (the
 * source module already applied `hide_error_details`); anything else is a bug and is rethrown.
 */
export function toInternalError(error: unknown): OgcError {
  if (error instanceof ProxyError && /^(SOURCE|CACHE)_/.test(error.code)) {
    // the client's message hides the cache's path and the cause: the operator's log has both (a
    // source's failure is logged where the source fails)
    if (error.code.startsWith('CACHE_')) cacheLog.error(withCauses(error));
    return new OgcError(clientMessage(error), 'NoApplicableCode', { internal: true, cause: error });
  }
  throw error;
}

/**
 * A source or cache error's message for the client: a cache error names the file it failed on
 * (`path`) for the operator's log, which the client must not see (MapProxy answers an OSError
 * with a bare 500 "internal error"); the file's place is taken by "the cache".
 */
export function clientMessage(error: ProxyError): string {
  const { path } = error as { path?: unknown };
  return typeof path === 'string' && path !== ''
    ? error.message.replaceAll(path, 'the cache')
    : error.message;
}
