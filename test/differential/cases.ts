/**
 * Request generation for a differential run: what a configuration offers is read from MapProxy's
 * own capabilities (WMS 1.1.1, WMTS, TMS), and requests are drawn from it with a seeded RNG:
 * GetMaps in every SRS (boxes partly outside, odd sizes, each version's axis order), tiles over
 * TMS, WMTS REST and KVP, KML, capabilities of every service and version, error cases, and
 * (drawn last, so that each seed keeps its earlier draws) GetFeatureInfo and GetLegendGraphic,
 * then client variants, WMS-C, WMTS GetFeatureInfo (KVP and REST), HEAD requests and demo pages.
 */
import { XMLParser } from 'fast-xml-parser';
import { getSrs } from '../../src/core/srs/index.js';

export type CaseKind =
  | 'wms-caps'
  | 'wms-getmap'
  | 'wms-reproj'
  | 'wms-error'
  | 'wmts-caps'
  | 'wmts-rest'
  | 'wmts-kvp'
  | 'tms-caps'
  | 'tms'
  | 'kml'
  | 'wms-featureinfo'
  | 'wms-legend'
  | 'wmts-featureinfo'
  | 'head'
  | 'demo'
  | 'error';

export interface RequestCase {
  readonly kind: CaseKind;
  /** Path and query, the same for both servers. */
  readonly path: string;
  /** Sent as a HEAD request (else GET). */
  readonly method?: 'HEAD';
}

/** mulberry32: small, seeded, reproducible. */
export function makeRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
  };
}

export interface Rng {
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true });

type Xml = Record<string, unknown>;
const list = (value: unknown): Xml[] =>
  value === undefined
    ? []
    : (Array.isArray(value) ? value : [value]).filter((v): v is Xml => typeof v === 'object');
/** The text of a parsed scalar (fast-xml-parser gives strings and numbers). */
const str = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '';

interface WmsLayer {
  readonly name: string;
  readonly srs: readonly string[];
  /** minx, miny, maxx, maxy in EPSG:4326. */
  readonly latLon: readonly [number, number, number, number];
  /** `queryable="1"`: GetFeatureInfo is offered. */
  readonly queryable: boolean;
  /** The path and query of the layer's LegendURL (WMS 1.1.1), if it has one. */
  readonly legend: string | null;
  /** The layer's `Dimension`s (WMS 1.1.1): name and the values offered. */
  readonly dimensions: readonly Dimension[];
}

interface Dimension {
  readonly name: string;
  readonly values: readonly string[];
}

interface Offer {
  readonly wmsLayers: readonly WmsLayer[];
  readonly wmsFormats: readonly string[];
  readonly wmtsLayers: readonly {
    name: string;
    formats: string[];
    sets: string[];
    template: string | null;
    dimensions: Dimension[];
    /** `InfoFormat`s of a queryable layer, and its RESTful FeatureInfo templates by format. */
    infoFormats: string[];
    infoTemplates: { format: string; template: string }[];
  }[];
  readonly matrixSets: ReadonlyMap<
    string,
    readonly { id: string; width: number; height: number; tileWidth: number; tileHeight: number }[]
  >;
  readonly tileMaps: readonly TileMapInfo[];
  /** MapProxy answers `/demo/` with its demo page. */
  readonly demo: boolean;
  /** The pages MapProxy's demo index links (`../demo/?…`), as paths from the server root. */
  readonly demoLinks: readonly string[];
}

interface TileMapInfo {
  /** `layer/grid` (or `layer/EPSGnnnn`) as in the TMS URL. */
  readonly name: string;
  readonly srs: string;
  readonly extension: string;
  /** The grid's box (minx, miny, maxx, maxy) and tile size, for boxes of whole tiles. */
  readonly extent: readonly number[];
  readonly tileSize: readonly [number, number];
  readonly levels: readonly { order: number; columns: number; rows: number; res: number }[];
}

/** Reads what `base` (MapProxy) offers from its capabilities. */
export async function readOffer(base: string): Promise<Offer> {
  const get = async (path: string): Promise<Xml | null> => {
    try {
      const res = await fetch(base + path);
      if (!res.ok) return null;
      return parser.parse(await res.text()) as Xml;
    } catch {
      return null;
    }
  };
  // WMS 1.1.1: named layers with their SRS (inherited) and LatLonBoundingBox
  const wmsLayers: WmsLayer[] = [];
  let wmsFormats: string[] = [];
  const wms = await get('/service?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1');
  const capability = (wms?.WMT_MS_Capabilities as Xml | undefined)?.Capability as Xml | undefined;
  if (capability !== undefined) {
    const getMap = ((capability.Request as Xml | undefined)?.GetMap ?? {}) as Xml;
    const formats = getMap.Format;
    wmsFormats = (
      Array.isArray(formats) ? (formats as unknown[]) : formats === undefined ? [] : [formats]
    ).map(str);
    const walk = (layer: Xml, srs: string[]): void => {
      const own = (Array.isArray(layer.SRS) ? (layer.SRS as unknown[]) : [layer.SRS])
        .map(str)
        .filter((s) => s !== '')
        .flatMap((s) => s.split(/\s+/));
      // sorted: MapProxy 1.15 lists a layer's SRS from a Python set, in an order that changes
      // from process to process (string hashing), so the same seed drew other SRS each run
      const all = [...new Set([...srs, ...own])].sort();
      const box = layer.LatLonBoundingBox as Xml | undefined;
      const legendUrl = list(layer.Style)
        .flatMap((style) => list(style.LegendURL))
        .map((legend) => str((legend.OnlineResource as Xml | undefined)?.['@href']))
        .find((href) => href !== '');
      if (layer.Name !== undefined && box !== undefined) {
        wmsLayers.push({
          name: str(layer.Name),
          srs: all,
          latLon: [Number(box['@minx']), Number(box['@miny']), Number(box['@maxx']), Number(box['@maxy'])],
          queryable: str(layer['@queryable']) === '1',
          legend: legendUrl === undefined ? null : legendUrl.replace(/^https?:\/\/[^/]+/, ''),
          dimensions: list(layer.Dimension).map((d) => ({
            name: str(d['@name']),
            values: str(d['#text'])
              .split(',')
              .filter((v) => v !== ''),
          })),
        });
      }
      for (const child of list(layer.Layer)) walk(child, all);
    };
    for (const root of list(capability.Layer)) walk(root, []);
  }
  // WMTS: layers, formats, matrix sets and their matrix sizes, the RESTful template
  const wmtsLayers: Offer['wmtsLayers'][number][] = [];
  const matrixSets = new Map<
    string,
    { id: string; width: number; height: number; tileWidth: number; tileHeight: number }[]
  >();
  const wmts = await get('/wmts/1.0.0/WMTSCapabilities.xml');
  const contents = (wmts?.Capabilities as Xml | undefined)?.Contents as Xml | undefined;
  if (contents !== undefined) {
    for (const layer of list(contents.Layer)) {
      const formats = (Array.isArray(layer.Format) ? (layer.Format as unknown[]) : [layer.Format]).map(str);
      const sets = list(layer.TileMatrixSetLink).map((link) => str(link.TileMatrixSet));
      const resource = list(layer.ResourceURL).find((r) => r['@resourceType'] === 'tile');
      wmtsLayers.push({
        name: str(layer.Identifier),
        formats,
        sets,
        template: resource === undefined ? null : str(resource['@template']),
        dimensions: list(layer.Dimension).map((d) => ({
          name: str(d.Identifier),
          values: (Array.isArray(d.Value) ? (d.Value as unknown[]) : [d.Value])
            .map(str)
            .filter((v) => v !== ''),
        })),
        infoFormats: (Array.isArray(layer.InfoFormat) ? (layer.InfoFormat as unknown[]) : [layer.InfoFormat])
          .map(str)
          .filter((f) => f !== ''),
        infoTemplates: list(layer.ResourceURL)
          .filter((r) => r['@resourceType'] === 'FeatureInfo')
          .map((r) => ({ format: str(r['@format']), template: str(r['@template']) })),
      });
    }
    for (const set of list(contents.TileMatrixSet)) {
      matrixSets.set(
        str(set.Identifier),
        list(set.TileMatrix).map((m) => ({
          id: str(m.Identifier),
          width: Number(m.MatrixWidth),
          height: Number(m.MatrixHeight),
          tileWidth: Number(m.TileWidth),
          tileHeight: Number(m.TileHeight),
        })),
      );
    }
  }
  // TMS: every tile map and its levels
  const tileMaps: TileMapInfo[] = [];
  const tms = await get('/tms/1.0.0/');
  for (const map of list(((tms?.TileMapService as Xml | undefined)?.TileMaps as Xml | undefined)?.TileMap)) {
    const href = str(map['@href']);
    const name = href.replace(/^.*\/tms\/1\.0\.0\//, '').replace(/\/$/, '');
    const resource = (await get(`/tms/1.0.0/${name}`))?.TileMap as Xml | undefined;
    if (resource === undefined) continue;
    const box = resource.BoundingBox as Xml;
    const format = resource.TileFormat as Xml;
    const width = Number(format['@width']);
    const height = Number(format['@height']);
    const extent = [Number(box['@minx']), Number(box['@miny']), Number(box['@maxx']), Number(box['@maxy'])];
    tileMaps.push({
      name,
      srs: str(resource.SRS),
      extension: str(format['@extension']),
      extent,
      tileSize: [width, height],
      levels: list((resource.TileSets as Xml | undefined)?.TileSet).map((set) => {
        const res = Number(set['@units-per-pixel']);
        return {
          order: Number(set['@order']),
          res,
          columns: Math.max(1, Math.ceil((extent[2]! - extent[0]!) / (res * width) - 1e-9)),
          rows: Math.max(1, Math.ceil((extent[3]! - extent[1]!) / (res * height) - 1e-9)),
        };
      }),
    });
  }
  let demo = false;
  const demoLinks = new Set<string>();
  try {
    const res = await fetch(`${base}/demo/`);
    demo = res.status === 200 && (res.headers.get('content-type') ?? '').startsWith('text/html');
    for (const [, href] of (await res.text()).matchAll(/href="\.\.\/demo\/(\?[^"]+)"/g)) {
      demoLinks.add(`/demo/${href!.replaceAll('&amp;', '&')}`);
    }
  } catch {
    // no demo service
  }
  return { wmsLayers, wmsFormats, wmtsLayers, matrixSets, tileMaps, demo, demoLinks: [...demoLinks] };
}

/**
 * What GetMaps may do beyond one layer with TRANSPARENT=TRUE or unset: several layers stacked,
 * an explicit TRANSPARENT=FALSE, a BGCOLOR. Off for the corpus, so that a seed there keeps
 * drawing the requests it always drew.
 */
export interface CaseOptions {
  readonly stacked?: boolean;
}

/** Draws `count` requests (roughly) from `offer`; the same seed gives the same list. */
export function generateCases(
  offer: Offer,
  rng: Rng,
  count: number,
  options: CaseOptions = {},
): RequestCase[] {
  const cases: RequestCase[] = [];
  const add = (kind: CaseKind, path: string, method?: 'HEAD'): void => {
    cases.push(method === undefined ? { kind, path } : { kind, path, method });
  };
  // 1. capabilities of every service and version
  for (const version of ['1.0.0', '1.1.0', '1.1.1', '1.3.0']) {
    add('wms-caps', `/service?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=${version}`);
  }
  add('wmts-caps', '/wmts/1.0.0/WMTSCapabilities.xml');
  add('wmts-caps', '/service?SERVICE=WMTS&REQUEST=GetCapabilities');
  add('tms-caps', '/tms/1.0.0/');
  for (const map of offer.tileMaps.slice(0, 3)) add('tms-caps', `/tms/1.0.0/${map.name}`);
  // 2. error cases
  const layer0 = offer.wmsLayers[0]?.name ?? 'unknown';
  add(
    'wms-error',
    `/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=nosuchlayer&STYLES=&SRS=EPSG:4326&BBOX=0,0,10,10&WIDTH=100&HEIGHT=100&FORMAT=image/png`,
  );
  add(
    'wms-error',
    `/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=${layer0}&STYLES=&SRS=EPSG:4326&BBOX=10,0,0,10&WIDTH=100&HEIGHT=100&FORMAT=image/png`,
  );
  add(
    'wms-error',
    `/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0&LAYERS=${layer0}&STYLES=&CRS=EPSG:12345&BBOX=0,0,10,10&WIDTH=100&HEIGHT=100&FORMAT=image/png`,
  );
  add(
    'wms-error',
    `/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=${layer0}&STYLES=&SRS=EPSG:4326&BBOX=0,0,10,10&WIDTH=100&HEIGHT=100&FORMAT=image/bogus`,
  );
  add(
    'wms-error',
    `/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=${layer0}&STYLES=&SRS=EPSG:4326&WIDTH=100&HEIGHT=100&FORMAT=image/png`,
  );
  add(
    'wms-error',
    `/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=nosuchlayer&STYLES=&SRS=EPSG:4326&BBOX=0,0,10,10&WIDTH=100&HEIGHT=100&FORMAT=image/png&EXCEPTIONS=application/vnd.ogc.se_inimage`,
  );
  add('wms-error', '/service?SERVICE=WMS&REQUEST=GetFoo&VERSION=1.1.1');
  add('error', '/tms/1.0.0/nosuchlayer/0/0/0.png');
  add('error', '/wmts/nosuchlayer/GLOBAL_MERCATOR/0/0/0.png');
  add(
    'error',
    '/service?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=nosuchlayer&STYLE=&TILEMATRIXSET=x&TILEMATRIX=0&TILEROW=0&TILECOL=0&FORMAT=image/png',
  );
  // 3. random GetMaps, tiles and KML, spread over what is offered
  const tileMapsBySrs = new Map<string, Set<string>>();
  for (const map of offer.tileMaps) {
    const layer = map.name.split('/')[0]!;
    const set = tileMapsBySrs.get(layer) ?? new Set<string>();
    set.add(map.srs);
    tileMapsBySrs.set(layer, set);
  }
  const makers: (() => void)[] = [];
  if (offer.wmsLayers.length > 0) {
    const getMap = (): void => {
      const layer = rng.pick(offer.wmsLayers);
      const srs = rng.pick(layer.srs.length > 0 ? layer.srs : ['EPSG:4326']);
      const path = randomGetMap(rng, layer, srs, offer.wmsFormats);
      const stacked = options.stacked === true && path !== null ? stackGetMap(rng, path, offer, srs) : path;
      if (stacked === null) return;
      const cachedSrs = tileMapsBySrs.get(layer.name);
      const reprojected =
        cachedSrs !== undefined &&
        !cachedSrs.has(srs === 'EPSG:3857' ? 'EPSG:900913' : srs) &&
        !cachedSrs.has(srs);
      add(reprojected ? 'wms-reproj' : 'wms-getmap', stacked);
    };
    makers.push(getMap, getMap, getMap);
  }
  if (offer.tileMaps.length > 0) {
    makers.push(() => {
      const map = rng.pick(offer.tileMaps);
      if (map.levels.length === 0) return;
      const level = rng.pick(map.levels.slice(0, 12));
      const outside = rng.next() < 0.1;
      const x = outside ? level.columns : rng.int(0, level.columns - 1);
      const y = rng.int(0, level.rows - 1);
      add('tms', `/tms/1.0.0/${map.name}/${level.order}/${x}/${y}.${map.extension}`);
    });
    makers.push(() => {
      if (rng.next() < 0.5) return;
      const map = rng.pick(offer.tileMaps);
      if (map.levels.length === 0) return;
      const level = rng.pick(map.levels.slice(0, 4));
      add(
        'kml',
        `/kml/${map.name}/${level.order}/${rng.int(0, level.columns - 1)}/${rng.int(0, level.rows - 1)}.kml`,
      );
    });
  }
  if (offer.wmtsLayers.length > 0) {
    makers.push(() => {
      const layer = rng.pick(offer.wmtsLayers);
      const setName = rng.pick(layer.sets);
      const matrices = (offer.matrixSets.get(setName) ?? []).slice(0, 12);
      if (matrices.length === 0) return;
      const matrix = rng.pick(matrices);
      const col = rng.next() < 0.1 ? matrix.width : rng.int(0, matrix.width - 1);
      const row = rng.int(0, matrix.height - 1);
      const format = rng.pick(layer.formats);
      if (rng.next() < 0.5 && layer.template !== null) {
        add(
          'wmts-rest',
          restTilePath(layer.template, layer.name, setName, matrix.id, col, row, () => 'default'),
        );
      } else {
        add(
          'wmts-kvp',
          `/service?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer.name}&STYLE=&TILEMATRIXSET=${setName}` +
            `&TILEMATRIX=${matrix.id}&TILEROW=${row}&TILECOL=${col}&FORMAT=${encodeURIComponent(format)}`,
        );
      }
    });
  }
  for (let i = 0; makers.length > 0 && cases.length < count && i < count * 3; i++) rng.pick(makers)();
  // 4. drawn after the rest, so that every seed keeps the requests above: GetFeatureInfo on
  //    queryable layers and GetLegendGraphic by the LegendURLs offered (clients send both, and
  //    the draws above never did)
  const queryable = offer.wmsLayers.filter((l) => l.queryable);
  for (let n = queryable.length === 0 ? 0 : 4; n > 0; n--) {
    const layer = rng.pick(queryable);
    const info = featureInfo(rng, layer, rng.pick(layer.srs.length > 0 ? layer.srs : ['EPSG:4326']));
    if (info !== null) add('wms-featureinfo', info);
  }
  const legends = offer.wmsLayers.filter((l) => l.legend !== null);
  for (let n = Math.min(2, legends.length); n > 0; n--) {
    const layer = rng.pick(legends);
    const url = new URL(layer.legend!, 'http://x');
    // the LegendURL's own keys (MapProxy writes them in lower case), not a second one in upper case
    const set = (key: string, value: string): void => {
      const own = [...url.searchParams.keys()].find((k) => k.toLowerCase() === key) ?? key;
      url.searchParams.set(own, value);
    };
    // the other versions and formats MapProxy answers a legend in
    if (rng.next() < 0.5) {
      set('version', '1.3.0');
      set('sld_version', '1.1.0');
    }
    if (rng.next() < 0.3) set('format', rng.pick(['image/jpeg', 'image/gif']));
    add('wms-legend', `${url.pathname}?${url.searchParams.toString()}`);
  }
  // 5. drawn after the rest for the same reason: what clients send that the draws above never
  //    did (services.rst, the request parsers of MapProxy 1.15)
  variantCases(offer, rng, add);
  // 6. after those: WMS-C (`tiled=true`), which OpenLayers 2 and TileCache clients send
  tiledWmsCases(offer, rng, add);
  // 7. after those: WMTS GetFeatureInfo, HEAD requests and the demo pages
  wmtsFeatureInfoCases(offer, rng, add);
  headCases(rng, cases, add);
  demoCases(offer, rng, add);
  return cases;
}

/**
 * WMTS GetFeatureInfo of queryable layers, over KVP and the RESTful FeatureInfo templates: a pixel
 * of a tile in each InfoFormat offered, sometimes a pixel outside the tile or an unknown format.
 */
function wmtsFeatureInfoCases(offer: Offer, rng: Rng, add: (kind: CaseKind, path: string) => void): void {
  const queryable = offer.wmtsLayers.filter((l) => l.infoFormats.length > 0);
  for (let n = queryable.length === 0 ? 0 : 4; n > 0; n--) {
    const layer = rng.pick(queryable);
    const setName = rng.pick(layer.sets);
    const matrices = (offer.matrixSets.get(setName) ?? []).slice(0, 10);
    if (matrices.length === 0) continue;
    const matrix = rng.pick(matrices);
    const col = rng.int(0, matrix.width - 1);
    const row = rng.int(0, matrix.height - 1);
    const outside = rng.next() < 0.1;
    const i = outside ? matrix.tileWidth + 3 : rng.int(0, matrix.tileWidth - 1);
    const j = rng.int(0, matrix.tileHeight - 1);
    const format = rng.next() < 0.1 ? 'text/nosuchformat' : rng.pick(layer.infoFormats);
    const rest = layer.infoTemplates.find((t) => t.format === format);
    if (rng.next() < 0.5 && rest !== undefined) {
      const template = rest.template.replace('{I}', String(i)).replace('{J}', String(j));
      const path = restTilePath(template, layer.name, setName, matrix.id, col, row, () => 'default');
      add('wmts-featureinfo', path);
    } else {
      const dims = layer.dimensions
        .map((d) => `&${d.name}=${encodeURIComponent(rng.pick(d.values))}`)
        .join('');
      add(
        'wmts-featureinfo',
        `/service?SERVICE=WMTS&REQUEST=GetFeatureInfo&VERSION=1.0.0&LAYER=${layer.name}&STYLE=default` +
          `&TILEMATRIXSET=${setName}&TILEMATRIX=${matrix.id}&TILEROW=${row}&TILECOL=${col}` +
          `&FORMAT=${encodeURIComponent(rng.pick(layer.formats))}&INFOFORMAT=${encodeURIComponent(format)}` +
          `&I=${i}&J=${j}${dims}`,
      );
    }
  }
}

/**
 * HEAD requests (monitoring, link checkers, caches revalidating): three of the requests drawn
 * so far, sent again as HEAD (by now mostly answered from the cache), status and headers compared.
 */
function headCases(
  rng: Rng,
  drawn: readonly RequestCase[],
  add: (kind: CaseKind, path: string, method?: 'HEAD') => void,
): void {
  const pool = drawn.filter((c) => c.method === undefined && c.kind !== 'wms-legend');
  for (let n = pool.length === 0 ? 0 : 3; n > 0; n--) add('head', rng.pick(pool).path, 'HEAD');
}

/**
 * The demo pages (`services.demo`): the index, `/demo` without its slash (a redirect), and pages
 * its index links (capabilities, TMS and WMTS viewers, as a user follows them), and a WMS viewer
 * as the index's forms ask for it (layer, SRS, format).
 */
function demoCases(offer: Offer, rng: Rng, add: (kind: CaseKind, path: string) => void): void {
  if (!offer.demo) return;
  add('demo', '/demo/');
  const pages: string[] = ['/demo', ...offer.demoLinks];
  if (offer.wmsLayers.length > 0) {
    const layer = rng.pick(offer.wmsLayers);
    const srs = rng.pick(layer.srs.length > 0 ? layer.srs : ['EPSG:4326']);
    const format = rng.pick(offer.wmsFormats.length > 0 ? offer.wmsFormats : ['image/png']);
    pages.push(
      `/demo/?srs=${encodeURIComponent(srs)}&format=${encodeURIComponent(format)}&wms_layer=${encodeURIComponent(layer.name)}`,
    );
  }
  for (let n = Math.min(3, pages.length); n > 0; n--) {
    add('demo', pages.splice(rng.int(0, pages.length - 1), 1)[0]!);
  }
}

/**
 * WMS-C: the capabilities with `tiled=true` (TileSets) and GetMaps with `tiled=true` of a cached
 * layer, one a whole tile of its grid, one half a tile off (MapProxy refuses what does not align).
 */
function tiledWmsCases(offer: Offer, rng: Rng, add: (kind: CaseKind, path: string) => void): void {
  if (offer.wmsLayers.length === 0) return;
  add(
    'wms-caps',
    `/service?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1&${rng.pick(['tiled=true', 'TILED=TRUE'])}`,
  );
  const maps = offer.tileMaps.filter((m) =>
    offer.wmsLayers.some((l) => l.name === m.name.split('/')[0] && l.srs.includes(m.srs)),
  );
  for (let n = maps.length === 0 ? 0 : 2; n > 0; n--) {
    const map = rng.pick(maps);
    const level = map.levels.length === 0 ? undefined : rng.pick(map.levels.slice(0, 6));
    if (level === undefined) continue;
    const [w, h] = map.tileSize;
    const shift = n === 1 ? 0.5 : 0;
    const x = rng.int(0, level.columns - 1) + shift;
    const y = rng.int(0, level.rows - 1);
    const minx = map.extent[0]! + x * level.res * w;
    const miny = map.extent[1]! + y * level.res * h;
    const bbox = [minx, miny, minx + level.res * w, miny + level.res * h].join(',');
    const format = encodeURIComponent(`image/${map.extension === 'jpg' ? 'jpeg' : map.extension}`);
    add(
      'wms-getmap',
      `/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=${map.name.split('/')[0]}&STYLES=&SRS=${map.srs}` +
        `&BBOX=${bbox}&WIDTH=${w}&HEIGHT=${h}&FORMAT=${format}&tiled=true`,
    );
  }
}

/**
 * Requests in the forms clients use beside the canonical ones: capabilities without VERSION, in
 * lower case and at `/ows`, TMS roots; the `/tiles` service with `origin`; KML's initial document
 * and its tile images; every EXCEPTIONS format on errors; GetMaps spelled as clients spell them
 * (lower-case keys and values, short formats, no STYLES, `mode=8bit`); dimension values other than
 * the default over WMTS (REST and KVP) and WMS.
 */
function variantCases(offer: Offer, rng: Rng, add: (kind: CaseKind, path: string) => void): void {
  // capabilities: two of the forms
  const capabilities: readonly [CaseKind, string][] = [
    ['wms-caps', '/service?SERVICE=WMS&REQUEST=GetCapabilities'],
    ['wms-caps', '/service?service=wms&request=getcapabilities&version=1.3.0'],
    ['wms-caps', '/ows?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1'],
    ['wms-caps', '/service?WMTVER=1.0.0&REQUEST=capabilities'],
    ['wms-caps', '/service?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.2.0'],
    ['wmts-caps', '/service?SERVICE=WMTS&REQUEST=GetCapabilities&VERSION=1.0.0'],
    ['wmts-caps', '/ows?service=wmts&request=GetCapabilities'],
    ['tms-caps', '/tms'],
    ['tms-caps', '/tms/1.0.0'],
  ];
  for (let n = 2; n > 0; n--) add(...rng.pick(capabilities));
  // errors in each EXCEPTIONS format and version
  const layer = offer.wmsLayers.length > 0 ? rng.pick(offer.wmsLayers) : null;
  for (let n = layer === null ? 0 : 3; n > 0; n--) {
    const version = rng.pick(['1.1.1', '1.3.0', '1.0.0', '1.1.0']);
    const srsKey = version === '1.3.0' ? 'CRS' : 'SRS';
    const error = rng.pick([
      `LAYERS=nosuchlayer&STYLES=&${srsKey}=EPSG:4326`,
      `LAYERS=${layer!.name}&STYLES=&${srsKey}=EPSG:12345`,
      `LAYERS=${layer!.name}&STYLES=fancy&${srsKey}=EPSG:4326`,
      `LAYERS=&STYLES=&${srsKey}=EPSG:4326`,
    ]);
    const exceptions = rng.pick([
      'application/vnd.ogc.se_xml',
      'application/vnd.ogc.se_inimage',
      'application/vnd.ogc.se_blank',
      'XML',
      'INIMAGE',
      'BLANK',
      'text/xml',
    ]);
    const format = rng.pick(['image/png', 'image/jpeg', 'image/gif']);
    const transparent = rng.next() < 0.4 ? '&TRANSPARENT=TRUE' : '';
    const bgcolor = rng.next() < 0.3 ? '&BGCOLOR=0x3366cc' : '';
    add(
      'wms-error',
      `/service?SERVICE=WMS&REQUEST=${version === '1.0.0' ? 'map' : 'GetMap'}&VERSION=${version}&${error}` +
        `&BBOX=5,45,10,50&WIDTH=${rng.int(20, 300)}&HEIGHT=${rng.int(20, 300)}&FORMAT=${encodeURIComponent(format)}` +
        `${transparent}${bgcolor}&EXCEPTIONS=${encodeURIComponent(exceptions)}`,
    );
  }
  // GetMaps as clients spell them
  for (let n = layer === null ? 0 : 2; n > 0; n--) {
    const target = rng.pick(offer.wmsLayers);
    const path = randomGetMap(rng, target, rng.pick(target.srs.length > 0 ? target.srs : ['EPSG:4326']), [
      'image/png',
    ]);
    if (path === null) continue;
    const url = new URL(path, 'http://x');
    const params = [...url.searchParams];
    const spelling = rng.int(0, 4);
    const respelled = params
      .filter(([key]) => spelling !== 2 || key !== 'STYLES')
      .map(([key, value]): [string, string] => {
        if (spelling === 0) return [key.toLowerCase(), value];
        if (spelling === 1 && key === 'FORMAT')
          return [key, rng.pick(['png', 'jpeg', 'image/png; mode=8bit', 'png8', 'gif', 'image/png8'])];
        if (spelling === 3 && (key === 'SRS' || key === 'CRS' || key === 'REQUEST'))
          return [key, value.toLowerCase()];
        if (spelling === 4 && key === 'BBOX')
          return [
            key,
            value
              .split(',')
              .map((v) => `${v}${v.includes('.') ? '0' : '.0'}`)
              .join(','),
          ];
        return [key, value];
      });
    const query = new URLSearchParams(respelled);
    add('wms-getmap', `${url.pathname}?${query.toString()}`);
  }
  // the /tiles service (one tile level fewer for grids that start with two or four tiles), with origin
  if (offer.tileMaps.length > 0) {
    for (let n = 2; n > 0; n--) {
      const map = rng.pick(offer.tileMaps);
      if (map.levels.length === 0) continue;
      const level = rng.pick(map.levels.slice(0, 6));
      const origin = rng.pick(['', '?origin=nw', '?origin=sw', '?origin=NW']);
      const name = rng.next() < 0.5 ? map.name : map.name.replace('/', '_');
      const prefix = rng.next() < 0.3 ? '/tiles/1.0.0' : '/tiles';
      add(
        'tms',
        `${prefix}/${name}/${level.order}/${rng.int(0, level.columns - 1)}/${rng.int(0, level.rows - 1)}.${map.extension}${origin}`,
      );
    }
    // KML: the initial document, and the tile images its overlays name
    const map = rng.pick(offer.tileMaps);
    add('kml', rng.pick([`/kml/${map.name}`, `/kml/${map.name}/`, `/kml/${map.name.replace('/', '_')}`]));
    const level = map.levels[rng.int(0, Math.min(3, map.levels.length - 1))];
    if (level !== undefined) {
      add(
        'kml',
        `/kml/${map.name}/${level.order}/${rng.int(0, level.columns - 1)}/${rng.int(0, level.rows - 1)}.${map.extension}`,
      );
    }
  }
  // dimensions: a value other than the default, over WMTS and WMS
  const wmtsDims = offer.wmtsLayers.filter((l) => l.dimensions.length > 0);
  for (let n = wmtsDims.length === 0 ? 0 : 3; n > 0; n--) {
    const target = rng.pick(wmtsDims);
    const setName = rng.pick(target.sets);
    const matrices = (offer.matrixSets.get(setName) ?? []).slice(0, 8);
    if (matrices.length === 0) continue;
    const matrix = rng.pick(matrices);
    const col = rng.int(0, matrix.width - 1);
    const row = rng.int(0, matrix.height - 1);
    const values = new Map(
      target.dimensions.map((d) => [d.name.toLowerCase(), rng.pick([...d.values, 'default', 'nosuchvalue'])]),
    );
    if (rng.next() < 0.5 && target.template !== null) {
      add(
        'wmts-rest',
        restTilePath(target.template, target.name, setName, matrix.id, col, row, (dim) =>
          encodeURIComponent(values.get(dim.toLowerCase()) ?? 'default'),
        ),
      );
    } else {
      const dims = [...values]
        .filter(() => rng.next() < 0.8)
        .map(
          ([name, value]) => `&${rng.next() < 0.5 ? name.toUpperCase() : name}=${encodeURIComponent(value)}`,
        )
        .join('');
      add(
        'wmts-kvp',
        `/service?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${target.name}&STYLE=default&TILEMATRIXSET=${setName}` +
          `&TILEMATRIX=${matrix.id}&TILEROW=${row}&TILECOL=${col}&FORMAT=${encodeURIComponent(rng.pick(target.formats))}${dims}`,
      );
    }
  }
  const wmsDims = offer.wmsLayers.filter((l) => l.dimensions.length > 0);
  for (let n = wmsDims.length === 0 ? 0 : 2; n > 0; n--) {
    const target = rng.pick(wmsDims);
    const path = randomGetMap(
      rng,
      target,
      rng.pick(target.srs.length > 0 ? target.srs : ['EPSG:4326']),
      offer.wmsFormats,
    );
    if (path === null) continue;
    const dims = target.dimensions
      .filter(() => rng.next() < 0.8)
      .map((d) => {
        // TIME and ELEVATION by name, the others with the DIM_ prefix (which a name may carry)
        const key = /^(time|elevation|dim_.*)$/i.test(d.name) ? d.name : `DIM_${d.name}`;
        return `&${key.toUpperCase()}=${encodeURIComponent(rng.pick([...d.values, 'nosuchvalue']))}`;
      })
      .join('');
    add('wms-getmap', `${path}${dims}`);
  }
}

/** A tile's path by a layer's RESTful `template`, each dimension's (`{Time}`…) value by `dimension`. */
function restTilePath(
  template: string,
  layer: string,
  set: string,
  matrix: string,
  col: number,
  row: number,
  dimension: (name: string) => string,
): string {
  return template
    .replace(/^https?:\/\/[^/]+/, '')
    .replace('{TileMatrixSet}', set)
    .replace('{TileMatrix}', matrix)
    .replace('{TileCol}', String(col))
    .replace('{TileRow}', String(row))
    .replace(/\{Style\}/g, 'default')
    .replace(/\{([A-Za-z]+)\}/g, (_, name: string) => (name === 'Layer' ? layer : dimension(name)));
}

/** A GetFeatureInfo at a pixel of a random GetMap of `layer`, in each version's parameters. */
function featureInfo(rng: Rng, layer: WmsLayer, srs: string): string | null {
  const map = randomGetMap(rng, layer, srs, ['image/png']);
  if (map === null) return null;
  const url = new URL(map, 'http://x');
  const version = url.searchParams.get('VERSION')!;
  url.searchParams.set('REQUEST', version === '1.0.0' ? 'feature_info' : 'GetFeatureInfo');
  url.searchParams.set('QUERY_LAYERS', layer.name);
  const x = rng.int(0, Number(url.searchParams.get('WIDTH')) - 1);
  const y = rng.int(0, Number(url.searchParams.get('HEIGHT')) - 1);
  url.searchParams.set(version === '1.3.0' ? 'I' : 'X', String(x));
  url.searchParams.set(version === '1.3.0' ? 'J' : 'Y', String(y));
  const format = rng.pick([null, 'text/plain', 'text/html', 'application/vnd.ogc.gml', 'text/xml']);
  if (format !== null) url.searchParams.set('INFO_FORMAT', format);
  if (rng.next() < 0.2) url.searchParams.set('FEATURE_COUNT', String(rng.int(1, 10)));
  return `${url.pathname}?${url.searchParams.toString()}`;
}

/** `path` with more layers offered in `srs` under it, TRANSPARENT and BGCOLOR drawn anew. */
function stackGetMap(rng: Rng, path: string, offer: Offer, srs: string): string {
  const url = new URL(path, 'http://x');
  const layers = [url.searchParams.get('LAYERS')!];
  const others = offer.wmsLayers.filter((l) => l.srs.includes(srs) && !layers.includes(l.name));
  for (let n = rng.int(0, 2); n > 0 && others.length > 0; n--) {
    layers.splice(rng.int(0, layers.length), 0, others.splice(rng.int(0, others.length - 1), 1)[0]!.name);
  }
  url.searchParams.set('LAYERS', layers.join(','));
  url.searchParams.delete('TRANSPARENT');
  const transparent = rng.pick([null, 'TRUE', 'FALSE', 'true']);
  if (transparent !== null) url.searchParams.set('TRANSPARENT', transparent);
  if (rng.next() < 0.3) url.searchParams.set('BGCOLOR', rng.pick(['0xff0000', '0x000000', '0x80C0ff']));
  return `${url.pathname}?${url.searchParams.toString()}`;
}

/** A GetMap of `layer` in `srs`: a box around the layer's extent, sometimes partly outside it. */
function randomGetMap(rng: Rng, layer: WmsLayer, srsCode: string, formats: readonly string[]): string | null {
  let extent: readonly number[];
  try {
    const srs = getSrs(srsCode);
    const [minx, miny, maxx, maxy] = layer.latLon;
    const clipped = [
      Math.max(minx, -179.9),
      Math.max(miny, -85),
      Math.min(maxx, 179.9),
      Math.min(maxy, 85),
    ] as const;
    extent = getSrs('EPSG:4326').transformBBox(srs, clipped);
  } catch {
    return null;
  }
  if (!extent.every(Number.isFinite)) return null;
  const [minx, miny, maxx, maxy] = extent as [number, number, number, number];
  const fraction = rng.pick([0.005, 0.02, 0.1, 0.3, 0.7, 1.1]);
  const width = (maxx - minx) * fraction;
  const aspect = 0.5 + rng.next() * 1.5;
  const height = Math.min((maxy - miny) * 1.2, width / aspect);
  // centre anywhere in the extent grown by a fifth: some boxes reach outside
  const cx = minx - (maxx - minx) * 0.1 + rng.next() * (maxx - minx) * 1.2;
  const cy = miny - (maxy - miny) * 0.1 + rng.next() * (maxy - miny) * 1.2;
  const box = [cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2].map((v) =>
    Number(v.toPrecision(10)),
  );
  const pixelsWide = rng.int(33, 700);
  const pixelsHigh = Math.max(17, Math.min(900, Math.round((pixelsWide * height) / width) + rng.int(-3, 3)));
  const version = rng.pick(['1.1.1', '1.3.0', '1.1.1', '1.0.0']);
  const axisNE = version === '1.3.0' && getSrs(srsCode).isAxisOrderNE;
  const bbox = axisNE ? [box[1], box[0], box[3], box[2]] : box;
  const format = rng.pick(formats.length > 0 ? formats : ['image/png']);
  const request = version === '1.0.0' ? 'map' : 'GetMap';
  const srsKey = version === '1.3.0' ? 'CRS' : 'SRS';
  const transparent = rng.next() < 0.3 ? '&TRANSPARENT=TRUE' : '';
  return (
    `/service?SERVICE=WMS&REQUEST=${request}&VERSION=${version}&LAYERS=${layer.name}&STYLES=&${srsKey}=${srsCode}` +
    `&BBOX=${bbox.join(',')}&WIDTH=${pixelsWide}&HEIGHT=${pixelsHigh}&FORMAT=${encodeURIComponent(format)}${transparent}`
  );
}
