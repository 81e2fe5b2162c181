/** Map sources: WMS, tile (XYZ/TMS/quadkey), debug and blank sources behind one interface. */
export type { MapQuery, MapSource, GetMapOptions } from './types.js';
export { fadesOpacity } from './opacity.js';
export { SourceError, type SourceErrorCode } from './errors.js';
export type {
  CommonSourceOptions,
  HttpSourceOptions,
  OnErrorOptions,
  OnErrorResponse,
  ResolutionRangeOptions,
} from './options.js';
/**
 * `createWmsSource(options)`: a `wms` source. Queries are x/y bboxes; WMS 1.3.0 axis order is
 * applied on the wire. Resolves null outside `coverage`, the resolution range, or outside
 * seeding for `seed_only`; rejects with `SourceError` (`SOURCE_HTTP`, `SOURCE_NOT_IMAGE` also for a
 * reply that does not decode completely, `SOURCE_IMAGE_SIZE` for a reply of another pixel size).
 */
export { createWmsSource, withRequestFormat, type WmsSourceOptions } from './wms-source.js';
/**
 * `createTileSource(options)`: a `tile` source. A query must be exactly one tile of its grid
 * (else `SourceError` `SOURCE_INVALID_QUERY`); same null and error rules as the WMS source (the
 * reply must be exactly the grid's tile size).
 */
export { createTileSource, type TileSourceOptions } from './tile-source.js';
/** `createDebugSource()`: draws bbox and resolution text; never null, never fails. */
export { createDebugSource, debugText } from './debug-source.js';
/** `createBlankSource(name)`: nothing anywhere; every query resolves null. */
export { createBlankSource } from './blank-source.js';
export {
  createArcgisSource,
  createArcgisInfoSource,
  type ArcgisSourceOptions,
  type ArcgisInfoSourceOptions,
} from './arcgis-source.js';
export { createBandMergeSource, type BandMergeSourceOptions } from './band-merge-source.js';
/** `new RenderdClient({ address })`: MapProxy's renderd client; `renderTile` rejects with `SourceError`. */
export { RenderdClient, renderdTaskId, type RenderdClientOptions } from './renderd-client.js';
/** `onErrorInfo(image)`: the `on_error` cache/stale flags of a stand-in image, or null for real images. */
export { onErrorInfo, type OnErrorInfo } from './upstream-errors.js';
/** `createResolutionRange(name, options)`: `min_res`/`max_res` in metres per pixel, or null. */
export { createResolutionRange, type ResolutionRange } from './resolution-range.js';
/**
 * `bboxPositionInImage(bbox, size, limit)`: the part of a `size` image of `bbox` inside `limit`
 * (pixel size, top-left offset, bbox); `pasteOnTransparent(image, size, offset)` puts it back.
 */
export { bboxPositionInImage } from './wms-source.js';
export { pasteOnTransparent } from './images.js';
/** Feature-info and legend seams: `FeatureInfoSource.getFeatureInfo(query)`, `LegendSource.getLegend(query)`. */
export type { InfoQuery, FeatureInfoDoc, FeatureInfoSource, LegendQuery, LegendSource } from './info-types.js';
/**
 * `createWmsInfoSource(options)`: GetFeatureInfo on a `wms` source (reprojecting the point into its
 * first `supported_srs` when needed). Rejects with `SourceError`.
 */
export { createWmsInfoSource, type WmsInfoSourceOptions } from './wms-info-source.js';
/** `createXsltInfoSource(inner, options)`: a source's `featureinfo_xslt`; rejects with `SourceError`. */
export { createXsltInfoSource, type XsltInfoSourceOptions } from './xslt-info-source.js';
/**
 * Legends (MapProxy `WMSLegendSource`): `createLegendSource({ clients, store, isStatic, storeOptions })`
 * over `wmsLegendClients(options)` (a GetLegendGraphic per layer of `req.layers`) or
 * `staticLegendClient(url)` (a `legendurl`, http(s) or absolute `file://`), stored in
 * `createLegendFileStore(dir)` (MapProxy's `<base_dir>/legends/<md5>.png`, see `legendFileName`).
 */
export {
  createLegendSource,
  wmsLegendClients,
  staticLegendClient,
  type LegendClient,
  type LegendSourceOptions,
} from './legend-source.js';
export { createLegendFileStore, legendFileName, type LegendStore } from './legend-store.js';
/** `clipSourceToCoverage(source, coverage)`: coverage `clip: true`, transparent outside the coverage. */
export { clipSourceToCoverage } from './clip-source.js';
