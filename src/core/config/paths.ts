/**
 * Path resolution: relative paths in a config are relative to the MAIN config file's directory
 * (MapProxy's `globals.abspath`), never to the cwd or to a `base:` file.
 */
import { isAbsolute, join, resolve } from 'node:path';

/** `path` made absolute against `configDir`. */
export function resolvePath(configDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(configDir, path);
}

/** MapProxy treats `PG:...`, `MYSQL:...` etc. (`^\w{2,}:`) as OGR connection strings, not files. */
export function isConnectionString(datasource: string): boolean {
  return /^\w{2,}:/.test(datasource);
}

/** A bbox written as a string datasource (MapProxy's `bbox_string_re`). */
export function isBBoxString(value: string): boolean {
  return /^[-+]?\d*.?\d+,[-+]?\d*.?\d+,[-+]?\d*.?\d+,[-+]?\d*.?\d+/.test(value);
}

/**
 * mbtiles/geopackage `filename`: `./x` is relative to the config dir, any other relative name
 * to the cache directory (MapProxy's `_mbtiles_cache`).
 */
export function resolveCacheFile(configDir: string, cacheDir: string, filename: string): string {
  if (isAbsolute(filename)) return filename;
  if (filename.startsWith('./') || filename.startsWith('.\\')) return resolve(configDir, filename);
  return join(cacheDir, filename);
}
