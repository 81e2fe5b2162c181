/** OGC and tile services, framework-free: `handle(ServiceRequest): Promise<ServiceResponse>`. */
export type { ServiceRequest, ServiceResponse, CachePolicy, Service } from './types.js';
/**
 * `OgcError(message, ogcCode = 'NoApplicableCode', { locator, status, internal, cause })`: a request
 * a service refuses (`internal: false`) or cannot serve (`internal: true`, a failed source); each
 * service renders it with its own format and `ogcCode -> status` table. `ServiceError`: a service
 * that cannot be built (`SERVICE_INVALID_TEMPLATE`).
 */
export {
  OgcError,
  ServiceError,
  type OgcCode,
  type OgcErrorOptions,
  type ServiceErrorCode,
} from './errors.js';
/** Service metadata (`md`) in camelCase: title, abstract, keywords, contact... for capabilities. */
export type { ServiceMetadata, ContactMetadata, KeywordList } from './metadata.js';
/**
 * `new TmsService(options)` answers `/tms` (root resource, TileMapService, TileMaps, tiles with the
 * TMS profiles and `sw` rows; `<TileMapServerError>` XML errors) and `/tiles` (grid levels, rows from
 * `?origin=` or `options.origin`, else the grid's own; plain-text errors). Register it for both paths.
 */
export { TmsService, type TmsServiceOptions } from './tms/tms-service.js';
/**
 * `new WmtsKvpService(options)` (for `OwsService`) and `new WmtsRestService(options)` (`/wmts`):
 * WMTS 1.0.0 capabilities and GetTile (TileRow from the top, TileMatrix = grid level); layers whose
 * grid cannot be addressed from the top left are skipped with a warning. Errors are OWS
 * ExceptionReports (400/501/500). The REST constructor throws `ServiceError` for a bad template.
 */
export {
  WmtsKvpService,
  WmtsRestService,
  type WmtsServiceOptions,
  type WmtsRestServiceOptions,
} from './wmts/wmts-service.js';
/** A `services.wmts.featureinfo_formats` entry: `{ mimetype, suffix }`. */
export type { FeatureInfoFormat } from './wmts/wmts-tiles.js';
/** MapProxy's default `restful_template`: `/{Layer}/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}.{Format}`. */
export { DEFAULT_RESTFUL_TEMPLATE } from './wmts/restful.js';
/** `new KmlService(options)`: KML super-overlays on `/kml` and the tile images they reference. */
export { KmlService, type KmlServiceOptions } from './kml/kml-service.js';
/**
 * `new OwsService({ wmts, wms })`: the `/service` and `/ows` dispatcher; a missing SERVICE goes to
 * the WMS when one is registered (MapProxy 1.15), else is a 400 `MissingParameterValue`; an unknown
 * or unregistered one is a 400 `InvalidParameterValue`.
 */
export { OwsService, type OwsServiceOptions } from './ows.js';
/**
 * `new DemoService(options)`: MapProxy's demo on `/demo/`: the index of layers and services, the
 * OpenLayers viewers (`?wms_layer=`, `?tms_layer=`, `?wmts_layer=` with `srs` and `format`),
 * capabilities as HTML (asked in-process through `options.internalRequest`) and `/demo/static/`.
 */
export { DemoService } from './demo/demo-service.js';
export type { DemoOptions, DemoServices, DemoWmsLayer, InternalRequest } from './demo/types.js';
/**
 * `new WmsService(options)`: WMS 1.0.0/1.1.0/1.1.1/1.3.0 (register it as `wms` in `OwsService`):
 * capabilities, GetMap (merged, reprojected, encoded once), GetFeatureInfo, GetLegendGraphic.
 * Errors answer as MapProxy 1.15: the version's ServiceExceptionReport with HTTP 200, or an
 * in-image/blank image for EXCEPTIONS=...inimage/...blank.
 */
export { WmsService, type WmsServiceOptions } from './wms/wms-service.js';
export type { InspireDates, InspireMetadata, InspireResourceLocator } from './wms/inspire.js';
export type { WmsLayerNode, WmsLayerExtent, LayerResRange } from './wms/wms-layer.js';
export type { WmsVersion } from './wms/wms-version.js';
export type { OnSourceErrors } from './wms/get-map.js';
