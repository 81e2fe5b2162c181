/**
 * ArcGIS REST export and identify URLs exactly as MapProxy 1.15 builds them
 * (`request/arcgis.py`, `client/arcgis.py`): endpoint, parameter order, Python number formats.
 */
import { pyFloatRepr, type BBox, type Size } from '../util/index.js';
import { QueryParams } from './query-params.js';
import { pyQuote, type WmsParamValue } from './wms-request.js';

/** MapProxy `rest_endpoint`: `.../MapServer` gets `/export`, `.../ImageServer` `/exportImage`. */
export function arcgisExportEndpoint(url: string): string {
  return withPath(url, (path) => {
    const last = path.at(-1);
    const service = path.at(-2);
    if (last === 'export' || last === 'exportImage') {
      if (service === 'MapServer') path[path.length - 1] = 'export';
      else if (service === 'ImageServer') path[path.length - 1] = 'exportImage';
    } else if (last === 'MapServer') path.push('export');
    else if (last === 'ImageServer') path.push('exportImage');
  });
}

/** MapProxy `rest_identify_endpoint`: the service's `/identify`. */
export function arcgisIdentifyEndpoint(url: string): string {
  return withPath(url, (path) => {
    const last = path.at(-1);
    if (last === 'export' || last === 'exportImage') path[path.length - 1] = 'identify';
    else if (last === 'MapServer' || last === 'ImageServer') path.push('identify');
  });
}

function withPath(url: string, edit: (segments: string[]) => void): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)([^?#]*)(.*)$/i.exec(url);
  if (match === null) return url;
  const [, origin = '', path = '', rest = ''] = match;
  const segments = path.replace(/\/+$/, '').split('/');
  edit(segments);
  return `${origin}${segments.join('/')}${rest}`;
}

/** The `req` keys but `url`, in config order; booleans as Python writes them (`True`). */
function reqParams(req: Readonly<Record<string, WmsParamValue>>): QueryParams {
  const params = new QueryParams();
  for (const [key, value] of Object.entries(req)) {
    if (key !== 'url') params.set(key, typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value));
  }
  return params;
}

function completeUrl(url: string, params: QueryParams): string {
  const query = params
    .entries()
    .map(([key, value]) => `${key}=${pyQuote(value)}`)
    .join('&');
  const delimiter = url.endsWith('?') ? '' : url.includes('?') ? '&' : '?';
  return url + delimiter + query;
}

/** The SRS number ArcGIS takes (`EPSG:3857` → `3857`). */
function srsNumber(code: string): string {
  return code.slice(code.lastIndexOf(':') + 1);
}

export interface ArcgisExportParams {
  readonly bbox: BBox;
  readonly size: Size;
  /** `EPSG:…` code of the bbox and the image. */
  readonly srs: string;
  /** Mime type; sent without its `image/` part. */
  readonly format: string;
}

/**
 * The export URL (`ArcGISClient._query_url`): the `req` keys, then `format`, `bbox`, `size`,
 * `bboxSR`, `imageSR` and `f=image`. The query's transparency is not sent (MapProxy sets it on
 * the parameter object, not as a parameter); only `req.transparent` is.
 */
export function arcgisExportUrl(
  url: string,
  req: Readonly<Record<string, WmsParamValue>>,
  query: ArcgisExportParams,
): string {
  const params = reqParams(req);
  params.set('format', query.format.slice(query.format.lastIndexOf('/') + 1));
  params.set('bbox', query.bbox.map(pyFloatRepr).join(','));
  params.set('size', query.size.join(','));
  params.set('bboxSR', srsNumber(query.srs));
  params.set('imageSR', srsNumber(query.srs));
  params.set('f', 'image');
  return completeUrl(arcgisExportEndpoint(url), params);
}

export interface ArcgisIdentifyParams {
  readonly bbox: BBox;
  readonly size: Size;
  readonly srs: string;
  /** The queried pixel, `[x, y]` from the top left. */
  readonly pos: readonly [number, number];
  /** The client's INFO_FORMAT: `text/html…` asks for `f=html`, anything else `f=json`. */
  readonly infoFormat: string;
  /** `opts.featureinfo_tolerance` in pixels (MapProxy's default 5). */
  readonly tolerance: number;
  /** `opts.featureinfo_return_geometries`. */
  readonly returnGeometries: boolean;
}

/**
 * The identify URL (`ArcGISInfoClient._query_url`): the `req` keys, `mapExtent`,
 * `imageDisplay=w,h,96`, the point as `geometry` (`%f`), `sr`, `f`, `tolerance`,
 * `returnGeometry` and `geometryType=esriGeometryPoint`.
 */
export function arcgisIdentifyUrl(
  url: string,
  req: Readonly<Record<string, WmsParamValue>>,
  query: ArcgisIdentifyParams,
): string {
  const params = reqParams(req);
  const [minx, miny, maxx, maxy] = query.bbox;
  const [width, height] = query.size;
  params.set('mapExtent', query.bbox.map(pyFloatRepr).join(','));
  params.set('imageDisplay', `${width},${height},96`);
  // MapProxy make_lin_transf((0, 0, w, h), bbox): pixel rows count down from the top
  const x = minx + (query.pos[0] * (maxx - minx)) / width;
  const y = miny + ((height - query.pos[1]) * (maxy - miny)) / height;
  params.set('geometry', `${x.toFixed(6)},${y.toFixed(6)}`);
  params.set('sr', srsNumber(query.srs));
  params.set('f', query.infoFormat.startsWith('text/html') ? 'html' : 'json');
  params.set('tolerance', String(query.tolerance));
  params.set('returnGeometry', String(query.returnGeometries));
  params.set('geometryType', 'esriGeometryPoint');
  return completeUrl(arcgisIdentifyEndpoint(url), params);
}
