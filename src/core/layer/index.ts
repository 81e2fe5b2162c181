/** Layers: what services serve, built from caches and sources. */
export type { TileLayer, TileResponse } from './types.js';
/**
 * `new CacheTileLayer(options)`: a `TileLayer` over a `TileManager`. `getTile(coord)` (grid origin)
 * resolves stored bytes unchanged with their mime type and mtime (ms), MapProxy's transparent PNG
 * where no source has data, and null outside the grid; rejects with the source's `SourceError`
 * or a `CacheError` when a tile cannot be created.
 */
export { CacheTileLayer, type CacheTileLayerOptions } from './cache-tile-layer.js';
/**
 * `new CacheSource(options)`: a cache as a `MapSource` of another cache. Exact tiles pass through
 * undecoded; other areas in the grid SRS are stitched and scaled. Other SRS: `SourceError`
 * (`SOURCE_UNSUPPORTED`) until reprojection lands.
 */
export { CacheSource, type CacheSourceOptions } from './cache-source.js';
