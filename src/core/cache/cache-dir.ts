/**
 * Where a file cache and its tile locks live (MapProxy `config/loader.py` `CacheConfiguration`
 * `_file_cache`, `lock_dir`) and the lock id derived from the directory. Pure path math.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export interface FileCacheDirOptions {
  /** The cache's config name (`caches.<name>`). */
  readonly cacheName: string;
  /** The cache's `cache_dir`, else `globals.cache.base_dir` (default `./cache_data`), resolved. */
  readonly baseDir: string;
  /** `cache.directory`, resolved; wins over everything else. */
  readonly directory?: string | null | undefined;
  /** `cache.use_grid_names`. */
  readonly useGridNames?: boolean | undefined;
  /** Config name of the grid (used with `use_grid_names`). */
  readonly gridName: string;
  /** The grid's `srs` as configured, e.g. `EPSG:900913` (used without `use_grid_names`). */
  readonly gridSrs: string;
}

/**
 * The directory of one cache/grid pair: `directory` as given; with `use_grid_names`
 * `<base>/<cacheName>/<gridName>`; else `<base>/<cacheName>_<SRS without ':'>`
 * (e.g. `cache_data/osm_cache_EPSG900913`).
 */
export function fileCacheDirectory(options: FileCacheDirOptions): string {
  if (options.directory) return options.directory;
  if (options.useGridNames) return join(options.baseDir, options.cacheName, options.gridName);
  return join(options.baseDir, `${options.cacheName}_${options.gridSrs.replaceAll(':', '')}`);
}

export interface TileLockDirOptions {
  /** `cache.tile_lock_dir` or `globals.cache.tile_lock_dir`, resolved. */
  readonly tileLockDir?: string | null | undefined;
  /** `cache.directory`, resolved. */
  readonly directory?: string | null | undefined;
  /** The cache's `cache_dir`, else `globals.cache.base_dir`, resolved. */
  readonly baseDir: string;
}

/**
 * The tile lock directory: the configured one, else `<directory or cache_dir or base_dir>/tile_locks`
 * (MapProxy's `cache_dir()` returns `cache.directory` when set).
 */
export function tileLockDirectory(options: TileLockDirOptions): string {
  if (options.tileLockDir) return options.tileLockDir;
  return join(options.directory || options.baseDir, 'tile_locks');
}

/** MapProxy's `lock_cache_id` of a file cache: the md5 hex digest of its directory string. */
export function lockCacheId(cacheDir: string): string {
  return createHash('md5').update(cacheDir, 'utf8').digest('hex');
}
