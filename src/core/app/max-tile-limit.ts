/** How many tiles one map of a cache may stitch (MapProxy `max_tile_limit`). */
import type { CacheConfig, LoadedConfig } from '../config/index.js';

/**
 * The cache's own `max_tile_limit`, else `globals.cache.max_tile_limit`: MapProxy's cache layers read
 * both (`get_value('max_tile_limit', conf, global_key=...)`), although its spec, and so ours, warns
 * about the cache's key as unknown.
 */
export function cacheMaxTileLimit(loaded: LoadedConfig, cache: CacheConfig | undefined): number {
  const own = (cache as { readonly max_tile_limit?: unknown } | undefined)?.max_tile_limit;
  return typeof own === 'number' ? own : loaded.config.globals.cache.max_tile_limit;
}

/** No limit, for `CacheSource` and `CacheMapLayer`. */
export const NO_TILE_LIMIT = 0;

/**
 * The limit of a cache read as another cache's source. MapProxy's `CacheConfiguration.source()`
 * builds a `CacheSource` without one when the source cache has one grid (a meta tile of a coarser
 * grid may span hundreds of its tiles), and its map layer, with the limit above, when it has several.
 */
export function cacheSourceTileLimit(loaded: LoadedConfig, sourceCache: string, gridCount: number): number {
  return gridCount > 1 ? cacheMaxTileLimit(loaded, loaded.config.caches[sourceCache]) : NO_TILE_LIMIT;
}
