/**
 * The tile path every tile service shares (MapProxy `TileLayer.render` + the servers' `map`/`tile`):
 * format check, out-of-range check, `getTile`, and the response with its HTTP caching policy.
 */
import type { TileCoord } from '../grid/index.js';
import type { TileLayer, TileResponse } from '../layer/index.js';
import { OgcError } from './errors.js';
import { toInternalError } from './responses.js';
import type { ServiceResponse } from './types.js';

export const OUTSIDE_TILE_MAP = 'The requested tile is outside the bounding box of the tile map.';

/** How tile responses are cached by clients. */
export interface TileCachingOptions {
  /** `globals.tiles.expires_hours * 3600`. */
  readonly maxAgeSeconds: number;
  /** Clock for tiles that were not stored (blank tiles): ms since epoch. */
  readonly now: () => number;
  /**
   * WMTS and KML always send tile cache headers; TMS and `/tiles` send no-cache for tiles the
   * layer marks uncacheable (MapProxy `tile.cacheable`).
   */
  readonly alwaysCacheHeaders: boolean;
}

/** MapProxy: 72 hours (`globals.tiles.expires_hours`). */
export const DEFAULT_MAX_AGE_SECONDS = 72 * 3600;

/** Rejects a request whose format (extension, e.g. `png`) is not the layer's. */
export function checkTileFormat(layer: TileLayer, requested: string): void {
  if (requested !== layer.extension) {
    throw new OgcError(
      `invalid format (${requested}). this tile set only supports (${layer.extension})`,
      'InvalidParameterValue',
      { locator: 'format' },
    );
  }
}

export function outOfRange(): OgcError {
  return new OgcError(OUTSIDE_TILE_MAP, 'TileOutOfRange');
}

/**
 * Loads the tile at internal `coord` and answers with its stored bytes unchanged. Rejects with an
 * `OgcError` (internal) when the source or cache fails, `TileOutOfRange` when the layer has no tile there.
 */
export async function serveTile(
  layer: TileLayer,
  coord: TileCoord,
  caching: TileCachingOptions,
  dimensions?: Readonly<Record<string, string>>,
): Promise<ServiceResponse> {
  let tile;
  try {
    tile = await layer.getTile(coord, dimensions === undefined ? undefined : { dimensions });
  } catch (error) {
    throw toInternalError(error);
  }
  if (tile === null) throw outOfRange();
  return tileResponse(tile, caching);
}

/**
 * A layer's tile as the answer (MapProxy's tile services and a WMS-C GetMap of one whole tile):
 * its bytes unchanged as `contentType` (default the tile's own format), with the tile's cache
 * headers when it is cacheable (or `alwaysCacheHeaders`), else no-cache, and the freshness with
 * which the server may give the same answer to a repeat of the request.
 */
export function tileResponse(
  tile: TileResponse,
  caching: TileCachingOptions,
  contentType = tile.format,
): ServiceResponse {
  const cacheable = tile.cacheable || caching.alwaysCacheHeaders;
  return {
    status: 200,
    contentType,
    body: tile.data,
    cache: cacheable
      ? {
          kind: 'tile',
          // MapProxy: the empty tile outside the coverage is stamped time.time(); a tile
          // without a timestamp has none (no Last-Modified)
          timestampMs: tile.isStampedNow === true ? caching.now() : tile.timestampMs,
          maxAgeSeconds: caching.maxAgeSeconds,
        }
      : { kind: 'no-cache' },
    // a tile stamped with the clock's Last-Modified is not to repeat
    freshness: tile.timestampMs === null ? undefined : tile.freshness,
  };
}
