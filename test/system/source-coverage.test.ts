/**
 * Source coverages beyond bboxes (WKT/GeoJSON files, bbox strings, union, difference) and
 * `clip: true`, over real sockets, pinned against MapProxy 1.15 (fixtures/mapproxy-1.15/coverage-clip).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { startServer } from '../../src/core/index.js';
import { copyFixture, FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import {
  pixelAt,
  solidPng,
  startUpstream,
  type Upstream,
  type UpstreamRequest,
} from '../helpers/upstream.js';

const CAPTURE = join(FIXTURES_DIR, 'mapproxy-1.15', 'coverage-clip');
const RED = [255, 0, 0, 255];
const TRANSPARENT_ALPHA = 0;

interface Captured {
  readonly name: string;
  readonly status: number;
  /** `layers bbox WxH` of each upstream request MapProxy sent for this request. */
  readonly upstream: readonly string[];
}

/** A WMS that answers every GetMap with solid red of the requested size. */
async function redWms(t: TestContext): Promise<Upstream> {
  return startUpstream(t, {
    '/wms': (r: UpstreamRequest) =>
      solidPng([255, 0, 0, 255], [Number(r.query.get('width')), Number(r.query.get('height'))]),
  });
}

const startCoverageProxy = (t: TestContext, upstreamUrl: string) =>
  startProxy(t, 'coverage/clip.yaml', {
    UPSTREAM_URL: upstreamUrl,
    COVERAGE_DIR: join(FIXTURES_DIR, 'coverage'),
  });

function describeRequest(r: UpstreamRequest): string {
  const bbox = (r.query.get('bbox') ?? '').split(',').map((v) => Number(v).toFixed(6));
  return `${r.query.get('layers') ?? ''} ${bbox.join(',')} ${r.query.get('width') ?? ''}x${r.query.get('height') ?? ''}`;
}

function normalise(captured: string): string {
  const [layers, bbox = '', size] = captured.split(' ');
  return `${layers ?? ''} ${bbox
    .split(',')
    .map((v) => Number(v).toFixed(6))
    .join(',')} ${size ?? ''}`;
}

async function alphaOf(png: Buffer): Promise<Buffer> {
  return sharp(png).ensureAlpha().extractChannel(3).raw().toBuffer();
}

/** Pixels that are transparent in one image and not in the other. */
function transparencyDifferences(a: Buffer, b: Buffer): number {
  let differences = 0;
  for (let i = 0; i < a.length; i += 1) if ((a[i] === 0) !== (b[i] === 0)) differences += 1;
  return differences;
}

test('upstream requests and clipped pixels match MapProxy 1.15 for polygon, union and difference coverages', async (t) => {
  const upstream = await redWms(t);
  const proxy = await startCoverageProxy(t, upstream.url);
  const requests = JSON.parse(await readFile(join(CAPTURE, 'requests.json'), 'utf8')) as {
    name: string;
    path: string;
  }[];
  const expected = JSON.parse(await readFile(join(CAPTURE, 'expected.json'), 'utf8')) as Captured[];
  for (const { name, path } of requests) {
    const mapproxy = expected.find((e) => e.name === name);
    assert.ok(mapproxy, name);
    const before = upstream.requests.length;
    const res = await fetch(`${proxy.url}${path}`);
    assert.equal(res.status, mapproxy.status, name);
    const body = Buffer.from(await res.arrayBuffer());
    // 1. the same upstream requests: none for tiles outside the coverage, sub-requests for partial ones
    assert.deepEqual(
      upstream.requests.slice(before).map(describeRequest),
      mapproxy.upstream.map(normalise),
      name,
    );
    // 2. the same transparent pixels, up to one pixel along diagonal polygon edges (measured: 0 on
    // level 0, 51 on level 1, where PIL truncates the vertices to whole pixels); clipped-opaque-0-0-0
    // is from a cache without `image.transparent`, transparent because its source is (`req.transparent`)
    const reference = await readFile(join(CAPTURE, `${name}.png`));
    const differences = transparencyDifferences(await alphaOf(body), await alphaOf(reference));
    assert.equal(differences, 0, `${name}: ${String(differences)} pixels differ in transparency`);
  }
});

test('a tile outside the polygon coverage sends nothing upstream and is transparent', async (t) => {
  const upstream = await redWms(t);
  const proxy = await startCoverageProxy(t, upstream.url);
  // level 1, top right: [5,5,10,10] lies beyond the triangle's hypotenuse x + y = 9
  const res = await fetch(`${proxy.url}/tms/1.0.0/clipped/EPSG4326/1/1/1.png`);
  assert.equal(res.status, 200);
  const [, , , alpha] = await pixelAt(Buffer.from(await res.arrayBuffer()), 128, 128);
  assert.equal(alpha, TRANSPARENT_ALPHA);
  assert.equal(upstream.requests.length, 0);
});

test('clip: true keeps the source colour inside the polygon and makes the outside and the hole transparent', async (t) => {
  const upstream = await redWms(t);
  const proxy = await startCoverageProxy(t, upstream.url);
  const clipped = Buffer.from(
    await (await fetch(`${proxy.url}/tms/1.0.0/clipped/EPSG4326/0/0/0.png`)).arrayBuffer(),
  );
  const plain = Buffer.from(
    await (await fetch(`${proxy.url}/tms/1.0.0/unclipped/EPSG4326/0/0/0.png`)).arrayBuffer(),
  );
  // level 0 is [0,0,10,10] in 256 px: pixel = degrees * 25.6, rows from the top
  const px = (lon: number, lat: number): [number, number] => [
    Math.floor(lon * 25.6),
    Math.floor((10 - lat) * 25.6),
  ];
  assert.deepEqual(await pixelAt(clipped, ...px(5, 1.5)), RED, 'inside the triangle');
  assert.equal((await pixelAt(clipped, ...px(6, 6)))[3], TRANSPARENT_ALPHA, 'beyond the hypotenuse');
  assert.equal((await pixelAt(clipped, ...px(2.5, 2.5)))[3], TRANSPARENT_ALPHA, 'in the hole');
  // without clip, the whole coverage bbox [1,1,8,8] keeps the upstream image
  assert.deepEqual(await pixelAt(plain, ...px(6, 6)), RED, 'unclipped: beyond the hypotenuse');
  assert.deepEqual(await pixelAt(plain, ...px(2.5, 2.5)), RED, 'unclipped: in the hole');
  assert.equal((await pixelAt(plain, ...px(0.5, 0.5)))[3], TRANSPARENT_ALPHA, 'unclipped: outside the bbox');
});

test('union and difference coverages decide which tiles reach the upstream', async (t) => {
  const upstream = await redWms(t);
  const proxy = await startCoverageProxy(t, upstream.url);
  // union of [0,0,3,3] and "7,7,10,10": the bottom-right quadrant [5,0,10,5] is in neither
  const get = async (path: string): Promise<void> => {
    const res = await fetch(`${proxy.url}${path}`);
    assert.equal(res.status, 200, path);
    await res.arrayBuffer();
  };
  await get('/tms/1.0.0/union/EPSG4326/1/1/0.png');
  await get('/tms/1.0.0/diff/EPSG4326/1/0/0.png');
  assert.equal(upstream.requests.length, 0, 'outside union and difference');
  await get('/tms/1.0.0/union/EPSG4326/1/1/1.png');
  // [0,0,10,10] minus the GeoJSON [0,0,6,10]: only x > 6 of [5,0,10,5] is requested
  await get('/tms/1.0.0/diff/EPSG4326/1/1/0.png');
  assert.deepEqual(upstream.requests.map(describeRequest), [
    normalise('u 5,5,10,10 256x256'),
    normalise('d 6,0,10,5 205x256'),
  ]);
});

test('missing coverage datasources are config errors naming the file, line and key, every one of them', async (t) => {
  const configFile = await copyFixture(t, 'coverage/clip.yaml', {
    UPSTREAM_URL: 'http://127.0.0.1:9',
    COVERAGE_DIR: '/nonexistent-coverage-dir',
  });
  await assert.rejects(
    startServer({ configFile, bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' } }),
    (error: Error & { code?: string }) => {
      // the build refuses every source it cannot build, not only the first
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.match(error.message, /clip\.yaml:23:\d+ sources\.clipped\.coverage\.datasource: /);
      assert.match(error.message, /\/nonexistent-coverage-dir\/triangle\.wkt/);
      assert.match(error.message, /clip\.yaml:29:\d+ sources\.unclipped\.coverage\.datasource: /);
      assert.match(
        error.message,
        /clip\.yaml:47:\d+ sources\.differenced\.coverage\.difference\[1\]\.datasource: /,
      );
      return true;
    },
  );
});

test('a polygon source coverage gives the WMS layer the bounds of the polygon as its extent', async (t) => {
  const proxy = await startCoverageProxy(t, 'http://127.0.0.1:9');
  const res = await fetch(`${proxy.url}/service?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1`);
  const xml = await res.text();
  const layer = xml.slice(xml.indexOf('<Name>clipped_direct</Name>'));
  const box = /<LatLonBoundingBox minx="([^"]+)" miny="([^"]+)" maxx="([^"]+)" maxy="([^"]+)"/.exec(layer);
  assert.deepEqual(box?.slice(1).map(Number), [1, 1, 8, 8]);
});

test('clip: true on a bare bbox coverage clips to the box, in a cache and a direct map (MapProxy 1.15: 500, docs/differences)', async (t) => {
  const upstream = await redWms(t);
  const proxy = await startProxy(t, 'coverage/bbox-clip.yaml', { UPSTREAM_URL: upstream.url });
  const tile = await fetch(`${proxy.url}/tms/1.0.0/boxed/EPSG4326/0/0/0.png`);
  const map = await fetch(
    `${proxy.url}/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=boxed_direct&STYLES=&SRS=EPSG:4326&BBOX=0,0,10,10&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=true`,
  );
  for (const [name, res] of [
    ['tile', tile],
    ['map', map],
  ] as const) {
    assert.equal(res.status, 200, name);
    const image = Buffer.from(await res.arrayBuffer());
    // 256 px over 10 degrees, rows from the top: (2.5, 2.5) in the box, (7.5, 7.5) and (7.5, 2.5) beyond
    assert.deepEqual(await pixelAt(image, 64, 192), RED, `${name}: inside the box`);
    assert.equal((await pixelAt(image, 192, 64))[3], TRANSPARENT_ALPHA, `${name}: beyond the box`);
    assert.equal((await pixelAt(image, 192, 192))[3], TRANSPARENT_ALPHA, `${name}: beside the box`);
  }
});
