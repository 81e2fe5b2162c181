/**
 * `globals.cache.hot_tiles` (mapproxy-ts's own): the one hot-tile cache every TileManager of a
 * configuration shares in a process, with its defaults and the check of its values.
 */
import { HotTiles } from '../cache/index.js';
import { configErrorAt, type ConfigError, type LoadedConfig } from '../config/index.js';

/**
 * Defaults, measured on cached TMS/WMTS hits (README "Performance"): 32 MB hold a few thousand
 * tiles, the popular areas of many map clients (the bench's levels 0-4 from MapServer, 12 MB, did
 * not fit in 8: an LRU scanned in a cycle larger than itself keeps nothing, 0.24 against 0.08 ms
 * of CPU a hit); one second keeps seeding and cleanup visible almost at once.
 */
export const HOT_TILES_DEFAULT_MB = 32;
export const HOT_TILES_DEFAULT_TTL_SECONDS = 1;

const PATH = ['globals', 'cache', 'hot_tiles'] as const;

/** Problems with `globals.cache.hot_tiles` (negative or not finite values). */
export function hotTilesProblems(loaded: LoadedConfig): ConfigError[] {
  const conf = loaded.config.globals.cache.hot_tiles ?? {};
  const problems: ConfigError[] = [];
  for (const key of ['max_mb', 'ttl_seconds'] as const) {
    const value = conf[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0))
      problems.push(
        configErrorAt(loaded, [...PATH, key], `${key} must be a number >= 0, not ${String(value)}`),
      );
  }
  return problems;
}

/**
 * The hot-tile cache of `loaded`, or null when it is switched off (`max_mb: 0`). With
 * `ttl_seconds: 0` every hit checks the stored tile's timestamp (one `lstat` instead of a read).
 */
export function hotTilesOf(loaded: LoadedConfig): HotTiles | null {
  const conf = loaded.config.globals.cache.hot_tiles ?? {};
  const maxBytes = Math.floor((conf.max_mb ?? HOT_TILES_DEFAULT_MB) * 1024 * 1024);
  const ttlMs = (conf.ttl_seconds ?? HOT_TILES_DEFAULT_TTL_SECONDS) * 1000;
  return maxBytes > 0 ? new HotTiles({ maxBytes, ttlMs }) : null;
}
