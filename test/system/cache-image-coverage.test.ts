/**
 * Cache transparency inherited from the sources, polygon coverages that only touch a tile, and a
 * coverage under `caches.<name>.cache`, over real sockets, pinned against MapProxy 1.15
 * (fixtures/mapproxy-1.15/cache-image-coverage, captured by its capture.ts.txt).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { solidPng, startUpstream, type Upstream, type UpstreamRequest } from '../helpers/upstream.js';

const CAPTURE = join(FIXTURES_DIR, 'mapproxy-1.15', 'cache-image-coverage');
// PNG quantisation (Pillow's fastoctree vs libimagequant) moves a composited colour by a few steps
const CHANNEL_TOLERANCE = 4;

interface Captured {
  readonly name: string;
  readonly path: string;
  readonly status: number;
  readonly upstream: readonly string[];
  readonly layerBBoxes?: readonly string[];
}

/** Red on the left half, blue at alpha 128 on the third quarter, hidden green at alpha 0 on the last. */
async function halfPng(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const px = x < width / 2 ? [255, 0, 0, 255] : x < (3 * width) / 4 ? [0, 0, 255, 128] : [0, 255, 0, 0];
      raw.set(px, (y * width + x) * 4);
    }
  }
  return sharp(raw, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

async function startCase(t: TestContext): Promise<{ upstream: Upstream; proxy: RunningProxy }> {
  const red = () => solidPng([255, 0, 0, 255]);
  const upstream = await startUpstream(t, {
    '/wms': (r: UpstreamRequest) => halfPng(Number(r.query.get('width')), Number(r.query.get('height'))),
    '/poly/1/1/0.png': red,
    '/poly/1/1/1.png': red,
    '/poly/1/0/1.png': red,
  });
  const proxy = await startProxy(t, 'cache-image-coverage/cache.yaml', {
    UPSTREAM_URL: upstream.url,
    COVERAGE_DIR: join(FIXTURES_DIR, 'cache-image-coverage'),
  });
  return { upstream, proxy };
}

/** As the capture script writes them: `wms <layers> <bbox> <w>x<h> transparent=<value>` or the path. */
function describe(r: UpstreamRequest): string {
  if (r.pathname !== '/wms') return r.pathname;
  const q = (key: string): string => r.query.get(key) ?? 'null';
  const bbox = q('bbox')
    .split(',')
    .map((v) => Number(v).toFixed(1))
    .join(',');
  return `wms ${q('layers')} ${bbox} ${q('width')}x${q('height')} transparent=${q('transparent').toLowerCase()}`;
}

function normalise(captured: string): string {
  const [kind, layers, bbox, size, transparent] = captured.split(' ');
  if (kind !== 'wms') return captured;
  const box = (bbox ?? '')
    .split(',')
    .map((v) => Number(v).toFixed(1))
    .join(',');
  return `wms ${layers ?? ''} ${box} ${size ?? ''} ${(transparent ?? '').toLowerCase()}`;
}

async function rgba(png: Buffer): Promise<Buffer> {
  return sharp(png).ensureAlpha().raw().toBuffer();
}

/** Pixels whose alpha differs, or whose colour differs where they are not fully transparent. */
function pixelDifferences(a: Buffer, b: Buffer): number {
  let differences = 0;
  for (let i = 0; i < a.length; i += 4) {
    const alpha = Math.abs((a[i + 3] ?? 0) - (b[i + 3] ?? 0));
    const visible = (a[i + 3] ?? 0) > 0;
    let colour = 0;
    for (let c = 0; c < 3 && visible; c += 1)
      colour = Math.max(colour, Math.abs((a[i + c] ?? 0) - (b[i + c] ?? 0)));
    if (alpha > CHANNEL_TOLERANCE || colour > CHANNEL_TOLERANCE) differences += 1;
  }
  return differences;
}

async function captured(): Promise<Captured[]> {
  const requests = JSON.parse(await readFile(join(CAPTURE, 'requests.json'), 'utf8')) as {
    name: string;
    path: string;
  }[];
  const expected = JSON.parse(await readFile(join(CAPTURE, 'expected.json'), 'utf8')) as Omit<
    Captured,
    'path'
  >[];
  return requests.map(({ name, path }) => {
    const found = expected.find((e) => e.name === name);
    assert.ok(found, name);
    return { ...found, path };
  });
}

test('tiles, upstream requests and pixels match MapProxy 1.15: transparency from sources, touching polygons, cache.coverage', async (t) => {
  const { upstream, proxy } = await startCase(t);
  // cache_coverage-getmap: 1.15 ignores cache.coverage; see the cache.coverage test below
  const compared = (await captured()).filter(
    (c) => c.layerBBoxes === undefined && c.name !== 'cache_coverage-getmap',
  );
  for (const mapproxy of compared) {
    const { name } = mapproxy;
    const before = upstream.requests.length;
    const res = await fetch(`${proxy.url}${mapproxy.path}`);
    assert.equal(res.status, mapproxy.status, name);
    const body = Buffer.from(await res.arrayBuffer());
    // 1. the same upstream requests (a polygon that only touches a tile asks for it, a bbox does not)
    assert.deepEqual(upstream.requests.slice(before).map(describe), mapproxy.upstream.map(normalise), name);
    // 2. the same pixels, alpha included
    const reference = await readFile(join(CAPTURE, `${name}.png`));
    const differences = pixelDifferences(await rgba(body), await rgba(reference));
    assert.equal(differences, 0, `${name}: ${String(differences)} pixels differ`);
  }
});

test('a cache without image options keeps the alpha of a transparent source and of merged transparent sources', async (t) => {
  const { proxy } = await startCase(t);
  const tile = async (layer: string): Promise<Buffer> =>
    rgba(
      Buffer.from(await (await fetch(`${proxy.url}/tms/1.0.0/${layer}/EPSG4326/1/0/0.png`)).arrayBuffer()),
    );
  const alphaAt = (pixels: Buffer, x: number): number => pixels[(128 * 256 + x) * 4 + 3] ?? -1;
  const merged = await tile('transparent_and_unset');
  assert.deepEqual([alphaAt(merged, 10), alphaAt(merged, 240)], [255, 0], 'transparent + unset: transparent');
  const opaque = await tile('transparent_and_opaque');
  assert.deepEqual(
    [alphaAt(opaque, 10), alphaAt(opaque, 240)],
    [255, 255],
    'transparent + transparent: false: opaque',
  );
});

test('cache.coverage is the extent of the cache layers: capabilities bboxes, nothing rendered beyond it', async (t) => {
  // documented (caches.rst, coverages.rst) and MapProxy >= 1.16 test_cache_coverage.py; MapProxy
  // 1.15 warns "unknown 'coverage' in caches.cache_coverage.cache" and advertises the grid bbox
  const { upstream, proxy } = await startCase(t);
  const capabilities = (await captured()).find((c) => c.name === 'capabilities');
  const xml = await (await fetch(`${proxy.url}${capabilities?.path ?? ''}`)).text();
  const bboxOf = (name: string): number[] | undefined => {
    const layer = xml.slice(xml.indexOf(`<Name>${name}</Name>`));
    return /<LatLonBoundingBox minx="([^"]+)" miny="([^"]+)" maxx="([^"]+)" maxy="([^"]+)"/
      .exec(layer)
      ?.slice(1)
      .map(Number);
  };
  assert.deepEqual(bboxOf('cache_coverage'), [0, 0, 5, 5]);
  assert.deepEqual(bboxOf('from_transparent'), [0, 0, 10, 10], 'without cache.coverage: the grid');
  // MapProxy 1.15: the cache layer's extent is the union of its sources' coverages
  assert.deepEqual(bboxOf('polygon_tiles'), [0, 0, 5, 5], 'a polygon-covered source');
  assert.deepEqual(bboxOf('bbox_tiles'), [0, 0, 5, 5], 'a bbox-covered source');
  const wmts = await (
    await fetch(`${proxy.url}/service?SERVICE=WMTS&REQUEST=GetCapabilities&VERSION=1.0.0`)
  ).text();
  const layer = wmts.slice(wmts.indexOf('<ows:Identifier>cache_coverage</ows:Identifier>') - 400);
  assert.match(
    layer,
    /<ows:LowerCorner>0(\.0)? 0(\.0)?<\/ows:LowerCorner>\s*<ows:UpperCorner>5(\.0)? 5(\.0)?<\/ows:UpperCorner>/,
  );
  // a GetMap that only touches the extent renders nothing and loads no tile
  const getMap = capturedPath('cache_coverage-getmap');
  const res = await fetch(`${proxy.url}${getMap}`);
  assert.equal(res.status, 200);
  const pixels = await rgba(Buffer.from(await res.arrayBuffer()));
  assert.equal(Math.max(...pixels.filter((_, i) => i % 4 === 3)), 0, 'fully transparent');
  assert.equal(upstream.requests.length, 0);
});

function capturedPath(name: string): string {
  return `/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=${name.replace('-getmap', '')}&SRS=EPSG:4326&BBOX=5,5,10,10&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=true&STYLES=`;
}
