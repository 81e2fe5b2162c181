/**
 * WMTS KVP parsing (MapProxy `request/wmts.py` `wmts_request`, `WMTS100TileRequest`):
 * `REQUEST=GetCapabilities|GetTile|GetFeatureInfo` with the OGC parameters, `TILEMATRIX=01` = 1.
 */
import { pyRepr } from '../../util/index.js';
import { OgcError } from '../errors.js';
import { formatOfMimeType, type WmtsRequest } from './wmts-request.js';

const TILE_PARAMS = [
  'version',
  'request',
  'layer',
  'style',
  'tilematrixset',
  'tilematrix',
  'tilerow',
  'tilecol',
  'format',
] as const;
const FEATURE_INFO_PARAMS = [...TILE_PARAMS, 'infoformat', 'i', 'j'] as const;

/** Parses the (lower-cased) query of a `SERVICE=WMTS` request. Throws `OgcError`. */
export function parseWmtsKvp(query: Readonly<Record<string, string>>): WmtsRequest {
  const type = requestType(query.request);
  if (type === null) {
    // MapProxy formats the unrecognised type as Python's None, whatever was sent
    // MapProxy sets no locator here
    throw new OgcError("unknown WMTS request type 'None'", 'NoApplicableCode');
  }
  if (type === 'capabilities') return { kind: 'capabilities' };
  const expected = type === 'tile' ? TILE_PARAMS : FEATURE_INFO_PARAMS;
  const missing = expected.filter((name) => query[name] === undefined);
  if (missing.length > 0) {
    // MapProxy: no exception code, so NoApplicableCode and HTTP 500
    throw new OgcError(`missing parameters ${pyRepr(missing)}`, 'NoApplicableCode');
  }
  const styles = query.styles;
  if (styles !== undefined && styles.replaceAll(',', '').trim() !== '') {
    throw new OgcError(`unsupported styles: ${styles}`, 'StyleNotDefined', { locator: 'styles' });
  }
  const common = {
    layer: query.layer ?? '',
    tileMatrixSet: query.tilematrixset ?? '',
    tile: {
      x: integerParam(query, 'tilecol'),
      y: integerParam(query, 'tilerow'),
      z: integerParam(query, 'tilematrix'),
    },
    format: formatOfMimeType(query.format ?? ''),
    dimensions: kvpDimensions(query),
  };
  if (type === 'tile') return { kind: 'tile', ...common };
  return {
    kind: 'featureinfo',
    ...common,
    infoFormat: query.infoformat ?? '',
    pos: [integerParam(query, 'i'), integerParam(query, 'j')],
    featureCount: query.feature_count,
  };
}

/** MapProxy `WMTS100TileRequestParams.dimensions`: every parameter that is not a GetTile one. */
function kvpDimensions(query: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const dimensions: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && !GET_TILE_KEYS.has(key)) dimensions[key] = value;
  }
  return dimensions;
}

/** A GetTile's own keys; any other key of the request is a dimension. */
const GET_TILE_KEYS: ReadonlySet<string> = new Set([...TILE_PARAMS, 'service']);

/** MapProxy `_parse_request_type`: `GetTile` (any case) -> `tile`; null when not a WMTS request. */
function requestType(request: string | undefined): 'tile' | 'featureinfo' | 'capabilities' | null {
  const lower = request?.toLowerCase();
  if (lower?.startsWith('get') !== true) return null;
  const type = lower.slice(3);
  return type === 'tile' || type === 'featureinfo' || type === 'capabilities' ? type : null;
}

/**
 * Python `int(value)` for the tile indices (`01` is 1). MapProxy lets a non-integer crash into a
 * generic 500; we answer a 400 `InvalidParameterValue` naming the parameter instead.
 */
function integerParam(query: Readonly<Record<string, string>>, name: string): number {
  const value = query[name] ?? '';
  if (!/^\s*[+-]?\d+\s*$/.test(value)) {
    throw new OgcError(`invalid value for ${name}: ${value}`, 'InvalidParameterValue', { locator: name });
  }
  return Number.parseInt(value.trim(), 10);
}
