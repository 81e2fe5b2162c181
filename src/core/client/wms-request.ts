/**
 * WMS GetMap URLs exactly as MapProxy 1.15 builds them (`request/wms`, `client/wms.py`): parameter
 * order, key case, Python quoting, and the per-version quirks of 1.0.0, 1.1.x and 1.3.0.
 */
import { pyFloatRepr, type BBox, type Size } from '../util/index.js';
import { QueryParams as Params } from './query-params.js';

export type WmsVersion = '1.0.0' | '1.1.0' | '1.1.1' | '1.3.0';

/** A `req` value as YAML gives it; booleans become Python's `True`/`False`. */
export type WmsParamValue = string | number | boolean;

/** The fixed part of a source's GetMap requests: URL, version and the `req` parameters in order. */
export interface WmsRequestTemplate {
  /** Without credentials. */
  readonly url: string;
  readonly version: WmsVersion;
  readonly params: readonly (readonly [string, string])[];
}

/** What varies per request. */
export interface WmsMapParams {
  /** x/y order; flipped here for WMS 1.3.0 when `isAxisOrderNE`. */
  readonly bbox: BBox;
  readonly size: Size;
  /** SRS code as sent, e.g. `EPSG:4326`. */
  readonly srs: string;
  /** True when the SRS is north/east first in WMS 1.3.0 (`Srs.isAxisOrderNE`). */
  readonly isAxisOrderNE: boolean;
  /** Mime type, e.g. `image/png` (sent as `PNG` to WMS 1.0.0). */
  readonly format: string;
  /** Extra parameters (forwarded dimensions), appended after the format. */
  readonly extra?: Readonly<Record<string, string>> | undefined;
}

/** Python's `str()` of a YAML value: `True`/`False` for booleans. */
function pyStrValue(value: WmsParamValue): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/**
 * The request template for a source's `req` block (all keys but `url`, in config order).
 * `requestFormat` is the format MapProxy passes from a cache (`params['format']`); it overrides a
 * `format` key and otherwise comes right after the `req` keys. Versions 1.0.0 and 1.3.0 get
 * MapProxy's `adapt_to_111` treatment.
 */
export function createWmsRequestTemplate(
  url: string,
  req: Readonly<Record<string, WmsParamValue>>,
  version: WmsVersion = '1.1.1',
  requestFormat?: string,
): WmsRequestTemplate {
  const params = new Params();
  for (const [key, value] of Object.entries(req)) if (key !== 'url') params.set(key, pyStrValue(value));
  if (requestFormat !== undefined) params.set('format', requestFormat);
  if (version === '1.0.0') {
    params.delete('wmtver');
    params.set('version', '1.0.0');
    params.set('request', 'GetMap');
  } else if (version === '1.3.0') {
    params.delete('wmtver');
    const crs = params.get('crs');
    if (crs !== undefined) {
      params.set('srs', crs);
      params.delete('crs');
    }
  } else {
    params.delete('wmtver');
  }
  return { url, version, params: params.entries() };
}

const FIXED_PARAMS: Readonly<Record<WmsVersion, readonly (readonly [string, string])[]>> = {
  '1.0.0': [
    ['request', 'map'],
    ['wmtver', '1.0.0'],
  ],
  '1.1.0': [
    ['request', 'GetMap'],
    ['version', '1.1.0'],
    ['service', 'WMS'],
  ],
  '1.1.1': [
    ['request', 'GetMap'],
    ['version', '1.1.1'],
    ['service', 'WMS'],
  ],
  '1.3.0': [
    ['request', 'GetMap'],
    ['version', '1.3.0'],
    ['service', 'WMS'],
  ],
};

function mapParams(template: WmsRequestTemplate, query: WmsMapParams): Params {
  const params = new Params(template.params);
  // 1. the query, in the order `WMSClient._query_req` sets it
  params.set('bbox', query.bbox.map(pyFloatRepr).join(','));
  params.set('width', String(query.size[0]));
  params.set('height', String(query.size[1]));
  params.set('srs', query.srs);
  params.set('format', query.format);
  for (const [key, value] of Object.entries(query.extra ?? {})) params.set(key, value);
  // 2. `adapt_params_to_version`: fixed params, default styles, version quirks
  for (const [key, value] of FIXED_PARAMS[template.version]) params.set(key, value);
  if (!params.has('styles')) params.set('styles', '');
  if (template.version === '1.0.0') {
    params.delete('version');
    params.delete('service');
    const format = params.get('format') ?? '';
    if (format.includes('/')) params.set('format', (format.split('/')[1] ?? '').toUpperCase());
  } else if (template.version === '1.3.0') {
    // WMS 1.3.0: the bbox goes out in the CRS's axis order, and `srs` is called `crs`
    if (query.isAxisOrderNE) {
      const [minx, miny, maxx, maxy] = query.bbox;
      params.set('bbox', [miny, minx, maxy, maxx].map(pyFloatRepr).join(','));
    }
    params.delete('srs');
    params.set('crs', query.srs);
  }
  return params;
}

const UNRESERVED = /[A-Za-z0-9_.\-~,]/;

/** Python's `quote(value.encode('utf-8'), safe=',')`: `/`, `:` and spaces are escaped. */
export function pyQuote(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function queryString(params: Params): string {
  return params
    .entries()
    .map(([key, value]) => `${key}=${pyQuote(value)}`)
    .join('&');
}

/**
 * The complete GetMap URL (`complete_url`): `?` or `&` before the query depending on the URL,
 * nothing when it ends in `?`. e.g. `http://host/service?layers=a&bbox=0.0,40.0,20.0,50.0&width=256
 * &height=128&srs=EPSG%3A4326&format=image%2Fpng&request=GetMap&version=1.1.1&service=WMS&styles=`.
 */
export function wmsGetMapUrl(template: WmsRequestTemplate, query: WmsMapParams): string {
  const { url } = template;
  const delimiter = url.endsWith('?') ? '' : url.includes('?') ? '&' : '?';
  return url + delimiter + queryString(mapParams(template, query));
}

/** The POST form of the request (`_query_data`): the URL without a trailing `?` and the query as body. */
export function wmsGetMapPost(
  template: WmsRequestTemplate,
  query: WmsMapParams,
): { url: string; body: string } {
  return { url: template.url.replace(/\?+$/, ''), body: queryString(mapParams(template, query)) };
}

/** True when the template carries an `sld_body` (MapProxy's AUTO method then POSTs). */
export function hasSldBody(template: WmsRequestTemplate): boolean {
  return template.params.some(([key]) => key.toLowerCase() === 'sld_body');
}

/** What varies per GetLegendGraphic request. */
export interface WmsLegendParams {
  readonly layer: string;
  /** Used when the source's `req` has no `format` (MapProxy: the client's, else `image/png`). */
  readonly format: string;
  /** The SCALE parameter, or null. */
  readonly scale: number | null;
}

/**
 * A source's GetLegendGraphic URL as MapProxy's `WMSLegendClient` builds it: the `req` keys but
 * `url` and `layers` in config order, `layer`, `format` (unless `req` has one), `scale`, then the
 * fixed `request`, `service`, `sld_version`, `version` and a default empty `styles`. MapProxy has
 * legend requests for WMS 1.1.1 and 1.3.0 only; every other version asks as 1.1.1.
 */
export function wmsLegendUrl(
  url: string,
  req: Readonly<Record<string, WmsParamValue>>,
  version: WmsVersion,
  query: WmsLegendParams,
): string {
  const params = new Params();
  for (const [key, value] of Object.entries(req)) {
    if (key !== 'url' && key.toLowerCase() !== 'layers') params.set(key, pyStrValue(value));
  }
  params.set('layer', query.layer);
  if (!params.get('format')) params.set('format', query.format);
  // MapProxy `if query.scale:`: a SCALE of 0 is not sent
  if (query.scale !== null && query.scale !== 0) params.set('scale', pyFloatRepr(query.scale));
  params.set('request', 'GetLegendGraphic');
  params.set('service', 'WMS');
  params.set('sld_version', '1.1.0');
  params.set('version', version === '1.3.0' ? '1.3.0' : '1.1.1');
  if (!params.has('styles')) params.set('styles', '');
  const delimiter = url.endsWith('?') ? '' : url.includes('?') ? '&' : '?';
  return url + delimiter + queryString(params);
}
