/**
 * Tile caches: the `TileCache` seam and its backends (file layouts, mbtiles, sqlite levels,
 * geopackage), the `TileManager`/`TileCreator` pipeline (meta tiles, single-flight, cross-process locks).
 */
export { CacheError, type CacheErrorCode } from './errors.js';
export type {
  CachedTile,
  Dimensions,
  LoadOptions,
  TileCache,
  TileResult,
  TileRenderer,
  TileSourceLayer,
  TileToStore,
} from './types.js';
export {
  DIRECTORY_LAYOUTS,
  isDirectoryLayout,
  tileRelativePath,
  levelRelativePath,
  dimensionsPath,
  quadKey,
  type DirectoryLayout,
} from './path-layouts.js';
export {
  fileCacheDirectory,
  tileLockDirectory,
  lockCacheId,
  type FileCacheDirOptions,
  type TileLockDirOptions,
} from './cache-dir.js';
export { FileCache, type FileCacheOptions, type LinkSingleColor } from './file-cache.js';
export { DummyCache } from './dummy-cache.js';
export { MBTilesCache, type MBTilesCacheOptions } from './mbtiles-cache.js';
export { GeopackageCache, isValidTableName, type GeopackageCacheOptions } from './geopackage-cache.js';
export { LevelCache, type LevelCacheOptions, type LevelFileCache } from './level-cache.js';
export { CompactCache, type CompactCacheOptions, type CompactVersion } from './compact-cache.js';
export { defragCompactCache, type BundleReport, type DefragOptions } from './compact-defrag.js';
export { S3Cache, type S3CacheOptions } from './s3-cache.js';
export { s3TileKey, s3LockCacheId } from './s3-key.js';
export { RedisCache, redisTileKey, redisLockCacheId, type RedisCacheOptions } from './redis-cache.js';
export { TileLocker, type TileLock, type TileLockBackend, type TileLockerOptions } from './lock.js';
export { RedisTileLocker, type RedisTileLockerOptions } from './redis-lock.js';
export { RedisConnection, type RedisConnectionOptions, type RedisTlsOptions } from './redis-connection.js';
export { refreshLimitSeconds, parseRefreshTime, isStale, type RefreshBefore } from './refresh-before.js';
export { formatExtension, formatMimeType, sniffFormat, storedTileFormat } from './tile-format.js';
export { TileManager, type TileManagerOptions, type LoadTilesOptions } from './tile-manager.js';
export { HotTiles, type HotTilesOptions } from './hot-tiles.js';
export { loneTileImage, stitchTiles, tilesToImage } from './stitch.js';
export { storedImage } from './image-ops.js';
