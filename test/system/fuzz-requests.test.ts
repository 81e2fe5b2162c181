/**
 * Fuzzed requests against a running server with a real upstream (issue 10): generated WMS (also
 * WMS-C: `TILED=true` over tile boxes, whole or shifted), WMTS (KVP and REST), TMS, KML and raw paths. No 5xx except from the layers whose sources fail, no
 * hang, nothing from the request echoed unescaped, and the server still answers afterwards.
 * `FUZZ_RUNS=5000 npm run fuzz` for a longer run with a random seed (here: a few seconds with a
 * fixed one, so that the suite fails on a change rather than on luck; `FUZZ_SEED=N` replays a run).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import sharp from 'sharp';
import { startProxy } from '../helpers/proxy.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 250);
/** `random` (npm run fuzz) lets fast-check choose and print the seed. */
const SEED = process.env.FUZZ_SEED === 'random' ? undefined : Number(process.env.FUZZ_SEED ?? 20261206);
/** Injected into free-text values: must never come back unescaped in XML or HTML. */
const MARKER = '<q>"x';

/** Any tile, any WMS map up to 4 Mpx (the requested size), `/broken` always 500. */
async function startFuzzUpstream(): Promise<{ url: string; server: Server }> {
  const tile = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    if (url.pathname.startsWith('/tiles/')) {
      res.writeHead(200, { 'content-type': 'image/png' }).end(tile);
      return;
    }
    const width = Number(url.searchParams.get('width') ?? url.searchParams.get('WIDTH'));
    const height = Number(url.searchParams.get('height') ?? url.searchParams.get('HEIGHT'));
    if (url.pathname !== '/wms' || !(width > 0 && height > 0 && width * height <= 4_000_000)) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream refuses');
      return;
    }
    sharp({ create: { width, height, channels: 3, background: '#cc6633' } })
      .png()
      .toBuffer()
      .then((body) => res.writeHead(200, { 'content-type': 'image/png' }).end(body))
      .catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const junk = fc.constantFrom(
  '',
  'abc',
  'NaN',
  '-1',
  '1e999',
  '%zz',
  '%00',
  '..',
  '../../etc/passwd',
  MARKER,
  ' ',
);
const pick = <T>(...values: T[]) => fc.constantFrom(...values);
const numberText = fc.oneof(
  fc.integer({ min: -30_000_000, max: 30_000_000 }).map(String),
  fc.double({ noDefaultInfinity: false }).map(String),
  pick('0', '-0', '1e308', '20037508.34', '-20037508.34', '85.05', '180', '-180', '90', '-90'),
  junk,
);
const bbox = fc.oneof(
  fc.array(numberText, { minLength: 0, maxLength: 6 }).map((values) => values.join(',')),
  pick('-20037508,-20037508,20037508,20037508', '0,0,1000000,1000000', '5,45,15,55', '-180,-90,180,90'),
  pick('300000,5300000,900000,5900000', '45,5,55,15', '-20000000,-20000000,20000000,20000000'),
);
const size = fc.oneof(
  fc.integer({ min: 1, max: 600 }).map(String),
  pick('0', '-5', '1e9', '16000000', '4001', '1.5', '2000'),
  junk,
);
const layers = fc
  .array(pick('tiles', 'wms', 'direct', 'broken', 'broken_direct', 'nope', MARKER, ''), { maxLength: 3 })
  .map((names) => names.join(','));
const srs = fc.oneof(
  pick('EPSG:4326', 'EPSG:3857', 'EPSG:900913', 'EPSG:25832', 'CRS:84', 'EPSG:31467'),
  junk,
);

/** Parameters in any order; each may be left out, and keys come in mixed case. */
function query(params: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const entries = Object.entries(params).map(([key, value]) =>
    fc.option(fc.tuple(pick(key, key.toLowerCase()), value), { freq: 6 }),
  );
  return fc.tuple(...entries).map((pairs) =>
    pairs
      .filter((p): p is [string, string] => p !== null)
      .map(([k, v]) => `${k}=${encodeURIComponent(v).replaceAll('%25zz', '%zz')}`)
      .join('&'),
  );
}

const wms = query({
  SERVICE: pick('WMS', 'wms', 'WMTS', 'foo'),
  REQUEST: pick(
    'GetMap',
    'GetCapabilities',
    'GetFeatureInfo',
    'GetLegendGraphic',
    'map',
    'capabilities',
    'foo',
  ),
  VERSION: pick('1.0.0', '1.1.0', '1.1.1', '1.3.0', '2.0', ''),
  LAYERS: layers,
  QUERY_LAYERS: layers,
  LAYER: layers,
  STYLES: pick('', 'default', MARKER),
  SRS: srs,
  CRS: srs,
  BBOX: bbox,
  WIDTH: size,
  HEIGHT: size,
  FORMAT: pick('image/png', 'image/jpeg', 'image/gif', 'png', 'text/html', MARKER),
  INFO_FORMAT: pick('text/plain', 'text/html', 'application/json', MARKER),
  EXCEPTIONS: pick(
    'application/vnd.ogc.se_xml',
    'application/vnd.ogc.se_inimage',
    'application/vnd.ogc.se_blank',
    'INIMAGE',
    'BLANK',
    'XML',
    'foo',
  ),
  TRANSPARENT: pick('true', 'TRUE', 'false', 'x'),
  BGCOLOR: pick('0xff0000', '#00ff00', 'red', '0xzz'),
  X: size,
  Y: size,
  I: size,
  J: size,
  FEATURE_COUNT: size,
  SLD_VERSION: pick('1.1.0', '1.0.0'),
}).map((q) => `/service?${q}`);

const wmtsKvp = query({
  SERVICE: pick('WMTS'),
  REQUEST: pick('GetTile', 'GetCapabilities', 'GetFeatureInfo', 'foo'),
  VERSION: pick('1.0.0', '2.0'),
  LAYER: layers,
  STYLE: pick('', 'default', MARKER),
  FORMAT: pick('image/png', 'image/jpeg', MARKER),
  TILEMATRIXSET: pick('GLOBAL_WEBMERCATOR', 'GLOBAL_GEODETIC', 'nope', MARKER),
  TILEMATRIX: size,
  TILEROW: size,
  TILECOL: size,
}).map((q) => `/service?${q}`);

const z = fc.oneof(fc.integer({ min: -1, max: 22 }).map(String), pick('99', '1e3', '2147483648'), junk);
const xy = fc.oneof(
  fc.integer({ min: -2, max: 40 }).map(String),
  pick('2147483648', '9007199254740993'),
  junk,
);
const layerName = pick(
  'tiles',
  'wms',
  'direct',
  'broken',
  'nope',
  MARKER,
  'tiles_EPSG900913',
  'wms_EPSG4326',
);
const gridName = pick('GLOBAL_WEBMERCATOR', 'GLOBAL_GEODETIC', 'EPSG3857', 'EPSG900913', 'EPSG4326', 'nope');
const ext = pick('png', 'jpeg', 'kml', 'gif', MARKER);
const seg = (value: fc.Arbitrary<string>) => value.map(encodeURIComponent);

const tms = fc
  .tuple(
    pick('/tms/1.0.0', '/tiles', '/tiles/1.0.0'),
    seg(layerName),
    seg(gridName),
    seg(z),
    seg(xy),
    seg(xy),
    seg(ext),
  )
  .map(([root, l, g, zz, x, y, e]) => `${root}/${l}/${g}/${zz}/${x}/${y}.${e}`);
const tmsShort = fc
  .tuple(pick('/tms/1.0.0', '/tms', '/tiles'), fc.array(seg(fc.oneof(layerName, z, junk)), { maxLength: 4 }))
  .map(([root, parts]) => [root, ...parts].join('/'));
const wmtsRest = fc
  .tuple(seg(layerName), seg(gridName), seg(z), seg(xy), seg(xy), seg(ext))
  .map(([l, g, zz, x, y, e]) => `/wmts/${l}/${g}/${zz}/${x}/${y}.${e}`);
const kml = fc
  .tuple(seg(layerName), seg(gridName), seg(z), seg(xy), seg(xy))
  .map(([l, g, zz, x, y]) => `/kml/${l}/${g}/${zz}/${x}/${y}.kml`);
const rawPath = fc
  .array(
    pick(
      '..',
      '%2e%2e',
      '%00',
      '%zz',
      'tms',
      'wmts',
      '1.0.0',
      'demo',
      'service',
      'kml',
      'wms',
      MARKER,
      'a b',
      '%2F',
    ),
    {
      maxLength: 6,
    },
  )
  .map(
    (parts) => `/${parts.map((p) => (p === MARKER || p === 'a b' ? encodeURIComponent(p) : p)).join('/')}`,
  );
const demo = fc
  .tuple(
    pick('/demo/', '/demo'),
    query({ tms_layer: layerName, wms_layer: layerName, wmts_layer: layerName, srs, format: ext }),
  )
  .map(([path, q]) => `${path}?${q}`);

/**
 * WMS-C (`TILED=true`, any case): GetMaps with every parameter, mostly of one tile of a grid (whole
 * or shifted, in the version's axis order), mostly 256x256 PNG; some capabilities.
 */
const WEBMERCATOR_HALF = 20037508.342789244;
const mostly = <T>(usual: T, others: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.constant(usual), weight: 5 }, { arbitrary: others, weight: 1 });
const wmsc = fc
  .record({
    version: pick('1.1.1', '1.1.1', '1.3.0', '1.3.0', '1.1.0', '1.0.0'),
    request: pick('GetMap', 'GetMap', 'GetMap', 'map', 'GetCapabilities'),
    tiled: pick('true', 'TRUE', 'True', 'tRuE', 'false', ''),
    // mostly one cache's layer, the stored tiles' way
    layers: fc.oneof(
      { arbitrary: pick('tiles', 'wms', 'mixed', 'direct_from'), weight: 2 },
      {
        arbitrary: fc
          .array(pick('tiles', 'wms', 'direct', 'mixed', 'direct_from', 'broken', 'broken_direct', 'nope'), {
            minLength: 1,
            maxLength: 2,
          })
          .map((names) => names.join(',')),
        weight: 1,
      },
    ),
    geodetic: fc.boolean(),
    z: fc.integer({ min: 0, max: 8 }),
    // scaled to the level below: inside the grid, or also one beyond each edge
    x: fc.nat(1024),
    y: fc.nat(1024),
    beyond: mostly(false, fc.constant(true)),
    // a tenth of a pixel is still the tile (MapProxy bbox_equals); more is refused
    shift: mostly(0, pick(1e-6, 0.5, -0.25, 1, 2)),
    misflipped: mostly(false, fc.constant(true)),
    srs: mostly(null, srs),
    width: mostly('256', fc.oneof(pick('512', '255', '1'), size)),
    height: mostly('256', fc.oneof(pick('512', '257'), size)),
    format: mostly('image/png', pick('image/jpeg', 'image/png; mode=8bit', 'png', 'image/gif', MARKER)),
    transparent: pick('true', 'false', 'TRUE'),
    exceptions: mostly(
      '',
      pick('application/vnd.ogc.se_xml', 'application/vnd.ogc.se_inimage', 'BLANK', 'INIMAGE'),
    ),
  })
  .map((d) => {
    const width = (d.geodetic ? 360 : 2 * WEBMERCATOR_HALF) / 2 ** d.z;
    const [ox, oy] = d.geodetic ? [-180, -90] : [-WEBMERCATOR_HALF, -WEBMERCATOR_HALF];
    const [count, first] = d.beyond ? [2 ** d.z + 2, -1] : [2 ** d.z, 0];
    const minx = ox + ((d.x % count) + first + d.shift) * width;
    const miny = oy + ((d.y % count) + first) * width;
    // WMS 1.3.0 EPSG:4326 boxes are lat/lon
    const latLon = (d.version === '1.3.0' && d.geodetic) !== d.misflipped;
    const box = latLon ? [miny, minx, miny + width, minx + width] : [minx, miny, minx + width, miny + width];
    const params: [string, string][] = [
      ['SERVICE', 'WMS'],
      ['REQUEST', d.request],
      ['VERSION', d.version],
      ['LAYERS', d.layers],
      ['STYLES', ''],
      [d.version === '1.3.0' ? 'CRS' : 'SRS', d.srs ?? (d.geodetic ? 'EPSG:4326' : 'EPSG:3857')],
      ['BBOX', box.map(String).join(',')],
      ['WIDTH', d.width],
      ['HEIGHT', d.height],
      ['FORMAT', d.format],
      ['TRANSPARENT', d.transparent],
      ['EXCEPTIONS', d.exceptions],
      ['TILED', d.tiled],
    ];
    return `/service?${params.map(([k, v]) => `${k}=${encodeURIComponent(v).replaceAll('%25zz', '%zz')}`).join('&')}`;
  });

const requestPath = fc.oneof(
  { arbitrary: wms, weight: 6 },
  { arbitrary: wmsc, weight: 4 },
  { arbitrary: wmtsKvp, weight: 2 },
  { arbitrary: tms, weight: 3 },
  { arbitrary: tmsShort, weight: 1 },
  { arbitrary: wmtsRest, weight: 3 },
  { arbitrary: kml, weight: 2 },
  { arbitrary: rawPath, weight: 1 },
  { arbitrary: demo, weight: 1 },
);

test('fuzzed requests: no 5xx but from failing sources, no hang, nothing echoed unescaped', async (t) => {
  const upstream = await startFuzzUpstream();
  t.after(() => upstream.server.close());
  const proxy = await startProxy(t, 'fuzz/fuzz.yaml', { UPSTREAM_URL: upstream.url });
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(requestPath, async (path) => {
      const res = await fetch(proxy.url + path, { signal: AbortSignal.timeout(20_000) });
      const body = Buffer.from(await res.arrayBuffer());
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      // 501 is OWS's answer to an operation a layer does not offer (WMTS GetFeatureInfo)
      if (res.status >= 500 && res.status !== 501) {
        assert.match(path, /broken/, `${res.status} for ${path}: ${body.toString('utf8', 0, 300)}`);
      }
      const type = res.headers.get('content-type') ?? '';
      // a tile (WMTS KVP, or a WMS-C map that is a stored tile: the ones with an ETag) is one
      // whole tile in the format it is sent as
      if (path.startsWith('/service?') && res.status === 200 && res.headers.get('etag') !== null) {
        const { width, height, format } = await sharp(body).metadata();
        assert.deepEqual([width, height, type.split(';')[0]], [256, 256, `image/${format}`], path);
      }
      if (/xml|html|kml/.test(type)) {
        assert.ok(!body.includes('<q>'), `unescaped request text in ${type} for ${path}`);
      }
    }),
    { numRuns: RUNS, seed: SEED },
  );
  t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
  // the server is still up and serving
  const after = await fetch(`${proxy.url}/tms/1.0.0/tiles/EPSG3857/1/0/0.png`);
  assert.equal(after.status, 200);
  assert.equal(after.headers.get('content-type'), 'image/png');
  await after.arrayBuffer();
});
