/**
 * `mapproxy-util wms-capabilities`: fetch an upstream WMS's GetCapabilities (1.1.1 or 1.3.0),
 * parse its layer tree as MapProxy's `wmsparse` does, and print it as MapProxy's PrettyPrinter.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { httpGet, UpstreamError } from '../client/index.js';
import { getSrs } from '../srs/index.js';
import { ToolsError } from './errors.js';

export type CapabilitiesVersion = '1.1.1' | '1.3.0';

/** One layer as MapProxy's `parse_layer_data` has it; `srs` and bboxes include inherited values. */
export interface CapabilitiesLayer {
  readonly name: string | null;
  readonly title: string | null;
  readonly abstract: string | null;
  readonly queryable: boolean;
  readonly opaque: boolean;
  readonly srs: readonly string[];
  /** `[min_res, max_res]` from ScaleHint (diagonal to pixel resolution), or null. */
  readonly resHint: readonly [number | null, number | null] | null;
  readonly llbbox: readonly number[] | null;
  /** BoundingBox per SRS in x/y order; `flipped` marks 1.3.0 boxes whose axis order was switched. */
  readonly bboxSrs: readonly {
    readonly srs: string;
    readonly bbox: readonly number[];
    readonly flipped: boolean;
  }[];
  readonly url: string | null;
  readonly legendUrl: string | null;
  readonly layers: readonly CapabilitiesLayer[];
}

export interface WmsCapabilities {
  readonly version: CapabilitiesVersion;
  /** The root layer. */
  readonly root: CapabilitiesLayer;
}

/** MapProxy `wms_capapilities_url`: the URL's own parameters plus SERVICE, VERSION and REQUEST. */
export function capabilitiesUrl(url: string, version: CapabilitiesVersion): string {
  const [base = '', query = ''] = url.split(/\?(.*)/s);
  const params = new URLSearchParams(query);
  for (const key of [...params.keys()]) {
    if (['service', 'version', 'request'].includes(key.toLowerCase())) params.delete(key);
  }
  params.append('service', 'WMS');
  params.append('version', version);
  params.append('request', 'GetCapabilities');
  return `${base}?${params.toString()}`;
}

type Node = Record<string, unknown>;
const ARRAYS = new Set(['Layer', 'SRS', 'CRS', 'BoundingBox', 'Style']);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => ARRAYS.has(name),
});

function child(node: unknown, name: string): Node | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const value = (node as Node)[name];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Node) : undefined;
}

function children(node: Node, name: string): Node[] {
  const value = node[name];
  if (!Array.isArray(value)) return [];
  return (value as unknown[]).map((v) =>
    typeof v === 'object' && v !== null ? (v as Node) : { '#text': v },
  );
}

function text(node: unknown, name: string): string | null {
  if (typeof node !== 'object' || node === null || !(name in node)) return null;
  const value = (node as Node)[name];
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (typeof value === 'object' && value !== null && '#text' in value)
    return String((value as Node)['#text']);
  return '';
}

function numbers(values: readonly (string | null | undefined)[]): number[] {
  return values.map((v) => {
    const n = Number(v);
    if (v === null || v === undefined || Number.isNaN(n))
      throw new ToolsError(`invalid number ${String(v)}`, 'TOOLS_CAPABILITIES_INVALID');
    return n;
  });
}

/**
 * Parses a capabilities document. Throws `ToolsError('TOOLS_CAPABILITIES_INVALID')` for XML that does
 * not parse or whose root is neither `WMT_MS_Capabilities` nor `WMS_Capabilities`.
 */
export function parseWmsCapabilities(xml: string): WmsCapabilities {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- its successor package is not a dependency
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new ToolsError(
      `Could not parse the document: ${valid.err.msg} line ${valid.err.line}, column ${valid.err.col}`,
      'TOOLS_CAPABILITIES_INVALID',
    );
  }
  const doc = parser.parse(xml) as Node;
  const version: CapabilitiesVersion | null =
    'WMT_MS_Capabilities' in doc ? '1.1.1' : 'WMS_Capabilities' in doc ? '1.3.0' : null;
  const rootTag = Object.keys(doc).find((k) => !k.startsWith('?') && !k.startsWith('#')) ?? '';
  if (version === null) {
    throw new ToolsError(
      `Not a capabilities document: unknown start tag in capabilities: ${rootTag}`,
      'TOOLS_CAPABILITIES_INVALID',
    );
  }
  const caps = child(doc, version === '1.1.1' ? 'WMT_MS_Capabilities' : 'WMS_Capabilities');
  const capability = child(caps, 'Capability');
  const getMap = child(
    child(child(child(child(child(capability, 'Request'), 'GetMap'), 'DCPType'), 'HTTP'), 'Get'),
    'OnlineResource',
  );
  const url = typeof getMap?.['@href'] === 'string' ? getMap['@href'] : null;
  const rootLayer = capability === undefined ? undefined : children(capability, 'Layer')[0];
  if (rootLayer === undefined)
    throw new ToolsError('Not a capabilities document: no Capability/Layer', 'TOOLS_CAPABILITIES_INVALID');
  return { version, root: parseLayer(rootLayer, null, version, url) };
}

function parseLayer(
  elem: Node,
  parent: CapabilitiesLayer | null,
  version: CapabilitiesVersion,
  url: string | null,
): CapabilitiesLayer {
  const own = children(elem, version === '1.1.1' ? 'SRS' : 'CRS').flatMap((s) =>
    (typeof s['#text'] === 'string' ? s['#text'] : '')
      .trim()
      .toUpperCase()
      .split(/\s+/)
      .filter((c) => c !== ''),
  );
  const srs = [...new Set([...own, ...(parent?.srs ?? [])])];
  const scaleHint = child(elem, 'ScaleHint');
  const diag = (v: unknown): number | null =>
    typeof v === 'string' && v !== '' ? Math.sqrt(Number(v) ** 2 / 2) : null;
  const resHint =
    scaleHint === undefined
      ? (parent?.resHint ?? null)
      : ([diag(scaleHint['@max']), diag(scaleHint['@min'])] as const);
  let llbbox: readonly number[] | null = parent?.llbbox ?? null;
  if (version === '1.1.1') {
    const ll = child(elem, 'LatLonBoundingBox');
    if (ll !== undefined) llbbox = numbers(['@minx', '@miny', '@maxx', '@maxy'].map((k) => ll[k] as string));
  } else {
    const geo = child(elem, 'EX_GeographicBoundingBox');
    if (geo !== undefined) {
      llbbox = numbers(
        ['westBoundLongitude', 'southBoundLatitude', 'eastBoundLongitude', 'northBoundLatitude'].map((k) =>
          text(geo, k),
        ),
      );
    }
  }
  const boxes = children(elem, 'BoundingBox').map((b) => {
    const code = String(b[version === '1.1.1' ? '@SRS' : '@CRS']);
    const bbox = numbers(['@minx', '@miny', '@maxx', '@maxy'].map((k) => b[k] as string));
    // WMS 1.3.0 lists north-east SRS (EPSG:4326) lat/lon: switch them, as MapProxy does
    const flipped = version === '1.3.0' && isAxisOrderNE(code);
    return { srs: code, bbox: flipped ? ([bbox[1], bbox[0], bbox[3], bbox[2]] as number[]) : bbox, flipped };
  });
  const styles = children(elem, 'Style');
  const defaultStyle = styles.find((s) => ['default', ''].includes(text(s, 'Name') ?? ''));
  const legend = child(child(defaultStyle, 'LegendURL'), 'OnlineResource');
  const layer: CapabilitiesLayer = {
    queryable: elem['@queryable'] === '1',
    opaque: elem['@opaque'] === '1',
    title: text(elem, 'Title'),
    abstract: text(elem, 'Abstract'),
    name: text(elem, 'Name'),
    srs,
    resHint,
    llbbox,
    bboxSrs: boxes.length > 0 ? boxes : (parent?.bboxSrs ?? []),
    url,
    legendUrl: typeof legend?.['@href'] === 'string' ? legend['@href'] : null,
    layers: [],
  };
  return { ...layer, layers: children(elem, 'Layer').map((c) => parseLayer(c, layer, version, url)) };
}

function isAxisOrderNE(code: string): boolean {
  try {
    return getSrs(code).isAxisOrderNE;
  } catch {
    return false;
  }
}

/**
 * Fetches and parses the capabilities of the WMS at `url`. Rejects with
 * `ToolsError('TOOLS_CAPABILITIES_UNREACHABLE')` (no connection, timeout, HTTP error status; the
 * message is MapProxy's `No response from URL ...`) or `TOOLS_CAPABILITIES_INVALID` (the error's
 * `document` property holds what was received).
 */
export async function fetchWmsCapabilities(
  url: string,
  options: { readonly version?: CapabilitiesVersion; readonly timeoutMs?: number } = {},
): Promise<WmsCapabilities> {
  const version = options.version ?? '1.1.1';
  const requestUrl = capabilitiesUrl(url, version);
  let body: string;
  try {
    body = (await httpGet(requestUrl, { timeoutMs: options.timeoutMs ?? 60_000 })).body.toString('utf8');
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    // the client's message already names the URL (without credentials) and the reason
    throw new ToolsError(error.message, 'TOOLS_CAPABILITIES_UNREACHABLE', { cause: error });
  }
  try {
    return parseWmsCapabilities(body);
  } catch (error) {
    if (error instanceof ToolsError) Object.assign(error, { document: body });
    throw error;
  }
}
