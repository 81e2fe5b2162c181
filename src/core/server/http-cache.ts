/**
 * Tile caching headers and conditional requests as MapProxy's response.py has them: an unquoted
 * md5 ETag of `str(mtime) + str(size)`, Last-Modified, `public, max-age, s-maxage`, and a 304
 * for an exactly matching If-None-Match or an If-Modified-Since not older than the tile.
 */
import { createHash } from 'node:crypto';
import type { CachePolicy } from '../service/index.js';
import { pyFloatRepr } from '../util/index.js';

interface TileHeaders {
  readonly timestampMs: number | null;
  readonly maxAgeSeconds: number;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The tile headers last computed for a body buffer: a hot tile (and every hit of it) is the same
 * Buffer, so its md5 ETag and dates are formatted once. Weak, so it holds no tile in memory.
 */
const tileHeadersByBody = new WeakMap<Buffer, TileHeaders>();

/** The caching headers for a response with `body` under `policy`. */
export function cacheHeaders(policy: CachePolicy, body: Buffer | string): Readonly<Record<string, string>> {
  switch (policy.kind) {
    case 'none':
      return {};
    case 'no-cache':
      return { 'Cache-Control': 'no-cache, no-store', Pragma: 'no-cache', Expires: '-1' };
    case 'tile': {
      const known = typeof body === 'string' ? undefined : tileHeadersByBody.get(body);
      if (known?.timestampMs === policy.timestampMs && known.maxAgeSeconds === policy.maxAgeSeconds)
        return known.headers;
      const age = Math.trunc(policy.maxAgeSeconds);
      // MapProxy's cache_headers: without a timestamp (a hit of an mbtiles or geopackage cache
      // without timestamps, a tile not stored) the ETag hashes `None`, and no Last-Modified
      const headers: Record<string, string> =
        policy.timestampMs === null
          ? { ETag: tileETag(null, Buffer.byteLength(body)) }
          : {
              ETag: tileETag(policy.timestampMs / 1000, Buffer.byteLength(body)),
              'Last-Modified': new Date(policy.timestampMs).toUTCString(),
            };
      headers['Cache-Control'] = `public, max-age=${age}, s-maxage=${age}`;
      if (typeof body !== 'string')
        tileHeadersByBody.set(body, {
          timestampMs: policy.timestampMs,
          maxAgeSeconds: policy.maxAgeSeconds,
          headers,
        });
      return headers;
    }
    case 'document': {
      // MapProxy kml.py: etag_data=(document,), so the ETag is the md5 of the document itself
      const age = Math.trunc(policy.maxAgeSeconds);
      return {
        ETag: createHash('md5').update(body).digest('hex'),
        'Cache-Control': `public, max-age=${age}, s-maxage=${age}`,
      };
    }
  }
}

/**
 * MapProxy's ETag: md5 hex of Python's `str(timestamp) + str(size)`, unquoted. The timestamp is
 * the tile's mtime in seconds (a float, so `1700000000.0` for a whole second), or `None`.
 */
export function tileETag(timestampSeconds: number | null, size: number): string {
  return createHash('md5')
    .update(`${timestampSeconds === null ? 'None' : pyFloatRepr(timestampSeconds)}${size}`)
    .digest('hex');
}

/**
 * True when the client's copy is current: If-None-Match equal to the ETag (a quoted value does
 * not match, as in MapProxy), else If-Modified-Since at or after the tile's mtime.
 */
export function isNotModified(
  policy: CachePolicy,
  etag: string | undefined,
  ifNoneMatch: string | undefined,
  ifModifiedSince: string | undefined,
): boolean {
  if (policy.kind !== 'tile' && policy.kind !== 'document') return false;
  if (etag !== undefined && ifNoneMatch === etag) return true;
  if (policy.kind === 'document' || ifModifiedSince === undefined || policy.timestampMs === null)
    return false;
  const since = parseHttpDate(ifModifiedSince);
  return since !== null && policy.timestampMs / 1000 <= since;
}

/** Seconds since the epoch of an RFC 1123, RFC 850 or asctime date; null for anything else. */
export function parseHttpDate(text: string): number | null {
  if (!/^\s*(?:[A-Za-z]{3},|[A-Za-z]+,|[A-Za-z]{3}\s)/.test(text)) return null;
  const ms = Date.parse(/GMT|UTC|[+-]\d{4}/.test(text) ? text : `${text} GMT`);
  return Number.isNaN(ms) ? null : ms / 1000;
}
