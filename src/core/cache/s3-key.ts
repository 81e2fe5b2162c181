/**
 * Where the `s3` cache keeps a tile: MapProxy 1.15 `S3Cache.tile_key`, the layout's path joined to
 * the base path with Python's `os.path.join`, leading slashes stripped. Pure.
 */
import { createHash } from 'node:crypto';
import type { TileCoord } from '../grid/index.js';
import { tileRelativePath, type DirectoryLayout } from './path-layouts.js';

/** `os.path.join(base, relative).lstrip('/')`: e.g. `/1.0.0/osm/` + `2/3/4.png` → `1.0.0/osm/2/3/4.png`. */
export function s3TileKey(
  basePath: string,
  layout: DirectoryLayout,
  coord: TileCoord,
  extension: string,
): string {
  const relative = tileRelativePath(layout, coord, extension);
  const joined = basePath === '' || basePath.endsWith('/') ? basePath + relative : `${basePath}/${relative}`;
  return joined.replace(/^\/+/, '');
}

/** MapProxy's `lock_cache_id` of an s3 cache: `md5(base_path + bucket_name)`. */
export function s3LockCacheId(basePath: string, bucket: string): string {
  return createHash('md5')
    .update(basePath + bucket)
    .digest('hex');
}
