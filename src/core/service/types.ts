/**
 * The service seam: framework-free requests and responses. `server/` turns fastify requests
 * into ServiceRequests and ServiceResponses into replies; services never see fastify.
 */

import type { Freshness } from '../util/index.js';

export interface ServiceRequest {
  readonly method: string;
  /** Path below the script name, starting with `/` (e.g. `/tms/1.0.0/osm/EPSG900913/0/0/0.png`). */
  readonly path: string;
  /** Query parameters: keys lower-cased, values untouched, the first occurrence of a key wins. */
  readonly query: Readonly<Record<string, string>>;
  /** Request headers, names lower-cased. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /**
   * `scheme://host[:port]` plus the script name, no trailing slash, from the proxy headers
   * (X-Script-Name, X-Forwarded-Host, X-Forwarded-Proto, Host): every URL in a document starts with it.
   */
  readonly scriptUrl: string;
}

/**
 * HTTP caching of a response (MapProxy `Response.cache_headers`):
 * - `tile`: ETag from timestamp and size, Last-Modified, `Cache-Control: public, max-age, s-maxage`;
 *   a tile without a timestamp (`null`: read from a cache that keeps none) has no Last-Modified;
 * - `document`: ETag = md5 hex of the body plus the same Cache-Control, no Last-Modified (KML);
 * - `no-cache`: `Cache-Control: no-cache, no-store`, `Pragma: no-cache`, `Expires: -1`;
 * - `none`: no caching headers at all (capabilities).
 */
export type CachePolicy =
  | { readonly kind: 'tile'; readonly timestampMs: number | null; readonly maxAgeSeconds: number }
  | { readonly kind: 'document'; readonly maxAgeSeconds: number }
  | { readonly kind: 'no-cache' }
  | { readonly kind: 'none' };

export interface ServiceResponse {
  readonly status: number;
  /** Full content type, e.g. `text/xml; charset=utf-8`, `image/png`. */
  readonly contentType: string;
  readonly body: Buffer | string;
  readonly cache: CachePolicy;
  /** Extra headers (e.g. `Location` for redirects). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Set when this very response answers the same request again while it is fresh (a tile read
   * from the hot-tile cache); the server may then skip the service for a repeat of the URL.
   */
  readonly freshness?: Freshness | undefined;
}

/** One service (TMS, WMTS, KML, WMS, demo): answers the requests routed to it. */
export interface Service {
  handle(request: ServiceRequest): Promise<ServiceResponse>;
}
