/** Layers: what services serve, built from caches and sources. */
export { MapBBoxError, MapRequestError, DimensionValueError, type LayerErrorCode } from './errors.js';
/**
 * Layer dimensions: `layerDimension(name, config)` expands `values` as MapProxy does (a single
 * time value is an ISO 8601 interval); `checkedDimensions` picks each dimension's value for a
 * request (lower-cased keys) or throws `DimensionValueError`.
 */
export { layerDimension, checkedDimensions, type LayerDimension } from './dimensions.js';
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
/** The WMS map-layer seam: `getMap(query)` for any bbox, size and SRS; null = nothing there. */
export type { MapLayer, LayerExtent } from './map-layer.js';
/**
 * `new CacheMapLayer(options)`: tiles of the closest level (stretch/shrink factors of the grid)
 * through the TileManager, stitched and cropped, scaled or reprojected (mesh) into the query;
 * `direct` serves queries at or below `fromRes` from the sources. Rejects with `MapBBoxError`
 * at `max_tile_limit` (counted before any tile is listed) or for an unusable bbox, or with what
 * the TileManager rejects with.
 */
export { CacheMapLayer, type CacheMapLayerOptions } from './cache-map-layer.js';
/** `new DirectMapLayer({ source, extent })`: a source used uncached; it reprojects itself. */
export { DirectMapLayer, type DirectMapLayerOptions } from './direct-map-layer.js';
/** The source seams the WMS forwards GetFeatureInfo and GetLegendGraphic to (re-exported for services). */
export type {
  InfoQuery,
  FeatureInfoDoc,
  FeatureInfoSource,
  LegendQuery,
  LegendSource,
} from '../source/index.js';
/** `bboxPositionInImage(bbox, size, limit)` (MapProxy `bbox_position_in_image`), for the WMS's `bbox_srs` limits. */
export { bboxPositionInImage } from '../source/index.js';
/**
 * `new SrsConditionalLayer([{ layer, srs }, …], srsOptions)`: per request, the layer of the SRS
 * MapProxy's `preferred_src` picks (the request's, a `preferred_src_proj` entry, the first of
 * the same kind, the first); of two layers in one SRS the last.
 */
export { SrsConditionalLayer, type SrsLayer } from './srs-conditional-layer.js';
