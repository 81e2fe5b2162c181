/**
 * Parsing and validating WMS KVP requests for the negotiated version (MapProxy `request/wms`):
 * request types, required parameters, bbox (1.3.0 axis order flipped here), size, styles.
 */
import { getSrs, type Srs } from '../../srs/index.js';
import { pyFloat, type BBox, type Size } from '../../util/index.js';
import { OgcError } from '../errors.js';
import type { WmsVersion } from './wms-version.js';

export type WmsRequestType = 'map' | 'featureinfo' | 'capabilities' | 'legendgraphic';

type Query = Readonly<Record<string, string>>;

/** MapProxy `_parse_request_type`: the request kind, or the lower-cased value for unknown ones. */
export function parseRequestType(query: Query): string | null {
  const value = query.request?.toLowerCase();
  if (value === undefined) return null;
  if (value === 'getmap' || value === 'map') return 'map';
  if (value === 'getfeatureinfo' || value === 'feature_info') return 'featureinfo';
  if (value === 'getcapabilities' || value === 'capabilities') return 'capabilities';
  if (value === 'getlegendgraphic') return 'legendgraphic';
  return value;
}

/** A parsed GetMap (and the map part of GetFeatureInfo). */
export interface MapParams {
  readonly version: WmsVersion;
  readonly layers: readonly string[];
  /** SRS/CRS code as sent. */
  readonly srsCode: string;
  /** x/y order (1.3.0 axis order already flipped). */
  readonly bbox: BBox;
  readonly size: Size;
  /** Mime type (`PNG` of 1.0.0 becomes `image/png`). */
  readonly format: string;
  readonly transparent: boolean;
  readonly bgcolor: readonly [number, number, number];
  readonly dimensions: Readonly<Record<string, string>>;
  /** Every request parameter (lower-cased keys), for the sources' `forward_req_params`. */
  readonly params: Readonly<Record<string, string>>;
}

/** A parsed GetFeatureInfo: the map plus the queried pixel and layers. */
export interface InfoParams extends MapParams {
  readonly queryLayers: readonly string[];
  /** Pixel position from the top left. */
  readonly pos: readonly [number, number];
  readonly infoFormat: string | undefined;
  readonly featureCount: string | undefined;
}

/** Python's `str(list)` of parameter names: `['bbox', 'width']`. */
function pyList(names: readonly string[]): string {
  return `[${names.map((n) => `'${n}'`).join(', ')}]`;
}

/** MapProxy `validate_param`: every expected parameter must be present. */
export function checkMissing(query: Query, expected: readonly string[]): void {
  const missing = expected.filter((name) => query[name] === undefined);
  if (missing.length > 0) {
    throw new OgcError(`missing parameters ${pyList(missing)}`, 'NoApplicableCode', { locator: missing[0] });
  }
}

function mapExpected(version: WmsVersion): string[] {
  if (version === '1.0.0')
    return ['wmtver', 'request', 'layers', 'styles', 'srs', 'bbox', 'width', 'height', 'format'];
  if (version === '1.3.0')
    return ['version', 'request', 'layers', 'styles', 'crs', 'bbox', 'width', 'height', 'format'];
  return ['version', 'request', 'layers', 'styles', 'srs', 'bbox', 'width', 'height', 'format'];
}

/** Request dimensions: `time`, `elevation` and `dim_*` keys (none for 1.0.0). */
function dimensionsOf(query: Query, version: WmsVersion): Record<string, string> {
  const dims: Record<string, string> = {};
  if (version === '1.0.0') return dims;
  for (const [key, value] of Object.entries(query)) {
    if (key === 'time' || key === 'elevation' || key.startsWith('dim_')) dims[key] = value;
  }
  return dims;
}

/** `0xRRGGBB` → RGB; white when absent or unreadable. */
export function parseBgcolor(value: string | undefined): readonly [number, number, number] {
  const hex = value?.replace(/^(0x|#)/i, '') ?? 'ffffff';
  if (!/^[0-9a-f]{6}$/i.test(hex)) return [255, 255, 255];
  const n = Number.parseInt(hex, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The size, or null when width/height are absent; MapProxy reads them with float() and truncates `100.0`. */
export function parseSize(query: Query): Size | null {
  if (query.width === undefined || query.height === undefined) return null;
  const width = Math.trunc(pyFloat(query.width));
  const height = Math.trunc(pyFloat(query.height));
  if (!Number.isFinite(width) || !Number.isFinite(height) || width <= 0 || height <= 0) {
    throw new OgcError(`invalid size ${query.width}x${query.height}`, 'InvalidParameterValue', {
      locator: 'width',
    });
  }
  return [width, height];
}

/**
 * The requested format as MapProxy reads it: the mime type as sent, and in WMS 1.0.0 a short name
 * in upper case (`PNG`, `JPEG`) as its mime type (WMS100MapRequest.validate_format). No other
 * short name is read: MapProxy refuses `FORMAT=png` in every version (unsupported image format),
 * where we answered a PNG (generated differential, seed 17: gen-17-09).
 */
export function formatMime(query: Query, version: WmsVersion): string {
  const format = query.format ?? '';
  const short =
    version === '1.0.0' && format !== '' && !format.includes('/') && format === format.toUpperCase();
  return short ? `image/${format.toLowerCase()}` : format;
}

/**
 * Parses a GetMap for `version` (`nonStrict`: FeatureInfo without format/styles). Throws
 * `OgcError` for missing parameters, an invalid bbox or size, and styles other than
 * `default`, empty or `inspire_common:DEFAULT` (`StyleNotDefined`).
 */
export function parseMapRequest(
  query: Query,
  version: WmsVersion,
  extraExpected: readonly string[] = [],
  nonStrict = false,
): MapParams {
  const expected = [...mapExpected(version), ...extraExpected].filter(
    (name) => !(nonStrict && (name === 'format' || name === 'styles')),
  );
  checkMissing(query, expected);
  const srsCode = (version === '1.3.0' ? query.crs : query.srs) ?? '';
  const raw = (query.bbox ?? '').split(',').map(pyFloat);
  const [a = NaN, b = NaN, c = NaN, d = NaN] = raw;
  if (raw.length !== 4 || !(a < c) || !(b < d)) {
    throw new OgcError(`invalid bbox ${query.bbox ?? ''}`, 'NoApplicableCode', { locator: 'bbox' });
  }
  const styles = query.styles;
  if (
    styles !== undefined &&
    !styles.split(',').every((s) => s === '' || s === 'default' || s === 'inspire_common:DEFAULT')
  ) {
    throw new OgcError(`unsupported styles: ${styles}`, 'StyleNotDefined', { locator: 'styles' });
  }
  // WMS 1.3.0: an EPSG:4326-like CRS bbox arrives lat/lon; flip before it reaches the grid
  let bbox: BBox = [a, b, c, d];
  if (version === '1.3.0' && isAxisOrderNE(srsCode)) bbox = [b, a, d, c];
  const size = parseSize(query) ?? [0, 0];
  return {
    version,
    layers: (query.layers ?? '').split(','),
    srsCode,
    bbox,
    size,
    format: formatMime(query, version),
    transparent: query.transparent?.toLowerCase() === 'true',
    bgcolor: parseBgcolor(query.bgcolor),
    dimensions: dimensionsOf(query, version),
    params: query,
  };
}

/** Parses a GetFeatureInfo (X/Y, or I/J in 1.3.0). */
export function parseInfoRequest(query: Query, version: WmsVersion, nonStrict: boolean): InfoParams {
  const posKeys = version === '1.3.0' ? ['i', 'j'] : ['x', 'y'];
  const map = parseMapRequest(query, version, ['query_layers', ...posKeys], nonStrict);
  const [xKey = 'x', yKey = 'y'] = posKeys;
  const x = Number(query[xKey]);
  const y = Number(query[yKey]);
  if (!Number.isFinite(x) || !Number.isFinite(y)) {
    throw new OgcError(
      `invalid position ${query[xKey] ?? ''},${query[yKey] ?? ''}`,
      'InvalidParameterValue',
      { locator: xKey },
    );
  }
  return {
    ...map,
    queryLayers: (query.query_layers ?? '').split(','),
    pos: [x, y],
    infoFormat: query.info_format,
    featureCount: query.feature_count,
  };
}

function isAxisOrderNE(code: string): boolean {
  try {
    return getSrs(code).isAxisOrderNE;
  } catch {
    return false;
  }
}

/** The Srs of a validated code; an unknown definition is an `InvalidSRS`/`InvalidCRS`. */
export function requestSrs(code: string, version: WmsVersion): Srs {
  try {
    return getSrs(code);
  } catch (error) {
    throw srsError(code, version, error);
  }
}

/** MapProxy's `unsupported srs:` / `unsupported crs:` error. */
export function srsError(code: string, version: WmsVersion, cause?: unknown): OgcError {
  return version === '1.3.0'
    ? new OgcError(`unsupported crs: ${code}`, 'InvalidCRS', { locator: 'crs', cause })
    : new OgcError(`unsupported srs: ${code}`, 'InvalidSRS', { locator: 'srs', cause });
}
