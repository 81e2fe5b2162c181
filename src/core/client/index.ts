/**
 * Outbound HTTP: pooled keep-alive requests with MapProxy's `http` options, the
 * `mapproxy.source.request` log line, WMS GetMap URLs and tile URL templates.
 * Failures become `UpstreamError`.
 */
export { UpstreamError, type UpstreamErrorCode, type UpstreamErrorDetails } from './errors.js';
export {
  httpGet,
  httpRequest,
  closeHttpClients,
  preloadHttpClient,
  USER_AGENT,
  DEFAULT_TIMEOUT_MS,
  imageMaxBytes,
  type HttpRequestOptions,
  type HttpResponse,
  type TlsOptions,
} from './http-client.js';
export { warmHttpParser } from './http-parser-warm-up.js';
export { CookieJar } from './cookie-jar.js';
export { hostSlotUsage } from './host-semaphore.js';
/** `cgiRequest(script, url, options)`: a `mapserver` source's request, the binary run as CGI. */
export { cgiRequest, type CgiOptions } from './cgi-client.js';
export { formatRequestLog, type RequestLogEntry } from './request-log.js';
export { splitUrlCredentials, redactUrl, type SplitUrl } from './url-credentials.js';
export {
  createWmsRequestTemplate,
  wmsGetMapUrl,
  wmsLegendUrl,
  wmsGetMapPost,
  hasSldBody,
  pyQuote,
  type WmsVersion,
  type WmsParamValue,
  type WmsRequestTemplate,
  type WmsMapParams,
  type WmsLegendParams,
} from './wms-request.js';
export {
  expandTileUrl,
  tileUrlPlaceholders,
  tileCachePath,
  tmsPath,
  arcgisCachePath,
  quadkey,
  TILE_URL_PLACEHOLDERS,
  type TileUrlCoord,
  type TileUrlPlaceholder,
} from './tile-url.js';
export {
  arcgisExportUrl,
  arcgisIdentifyUrl,
  type ArcgisExportParams,
  type ArcgisIdentifyParams,
} from './arcgis-request.js';
