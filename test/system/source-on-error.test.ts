/**
 * `on_error` on wms and arcgis sources: the colour served per upstream status (500, 404, 204 and
 * `other` for timeouts and non-image answers), whether the stand-in tile is stored (`cache`), and
 * `authorize_stale` serving the stale cached tile (cache `refresh_before`) instead. Each expected
 * answer is what MapProxy 1.15 served on this configuration against this upstream.
 */
import assert from 'node:assert/strict';
import { readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startProxy } from '../helpers/proxy.js';
import {
  pixelAt,
  solidPng,
  startUpstream,
  type UpstreamReply,
  type UpstreamRequest,
} from '../helpers/upstream.js';

const FIXTURE = join('source-on-error', 'on-error.yaml');
const WMS_PATH = '/wms';
const ARCGIS_ERRORS = '/arcgis/rest/services/Errors/MapServer/export';
const ARCGIS_STALE = '/arcgis/rest/services/Stale/MapServer/export';

const RED = [255, 0, 0, 255];
const GREEN = [0, 255, 0, 255];
const BLUE = [0, 0, 255, 255];
const GOOD = [20, 120, 220, 255];

/** A query value whatever the case of its key (WMS sends upper case, ArcGIS lower case). */
function param(request: UpstreamRequest, key: string): string {
  for (const [k, v] of request.query) if (k.toLowerCase() === key) return v;
  return '';
}

/**
 * Which quadrant of the world the request lies in (`sw`/`se`/`nw`/`ne`), or `large` for more than
 * a quarter of the world's width (TMS level 0 of GLOBAL_MERCATOR is the grid's level 1: 2x2 tiles).
 */
function area(request: UpstreamRequest): string {
  const [minx = 0, miny = 0, maxx = 0] = param(request, 'bbox').split(',').map(Number);
  if (maxx - minx > 15_000_000) return 'large';
  return (miny < 0 ? 's' : 'n') + (minx < 0 ? 'w' : 'e');
}

/** The failure chosen for each quadrant (and for the larger tiles of TMS level 0). */
function failure(request: UpstreamRequest): UpstreamReply {
  switch (area(request)) {
    case 'sw':
      return { status: 500, body: 'internal error' };
    case 'se':
      return { status: 404, body: 'not found' };
    case 'nw':
      return { hang: true };
    case 'ne':
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'no image here' };
    default:
      return { status: 204 };
  }
}

/** A good answer of the requested size, so the tile splits cleanly. */
async function goodImage(request: UpstreamRequest): Promise<Buffer> {
  const size = param(request, 'size') || `${param(request, 'width')},${param(request, 'height')}`;
  const [width = 0, height = 0] = size.split(',').map(Number);
  return solidPng([20, 120, 220], [width, height]);
}

/** The centre pixel of the PNG at `url` (`size` pixels), which must answer 200. */
async function tilePixel(
  url: string,
  size: readonly [number, number] = [256, 256],
): Promise<readonly number[]> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  assert.equal(res.headers.get('content-type'), 'image/png', url);
  return pixelAt(Buffer.from(await res.arrayBuffer()), size[0] / 2, size[1] / 2);
}

/** The stored tile files below `dir`, as paths relative to it. */
async function storedTiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.png'))
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** Moves every stored tile's mtime two hours back: stale under `refresh_before: {hours: 1}`. */
async function ageTiles(dir: string): Promise<void> {
  const past = new Date(Date.now() - 2 * 3600 * 1000);
  for (const tile of await storedTiles(dir)) await utimes(join(dir, tile), past, past);
}

for (const [kind, layer, path] of [
  ['wms', 'wms_errors', WMS_PATH],
  ['arcgis', 'arcgis_errors', ARCGIS_ERRORS],
] as const) {
  test(`${kind} source: on_error colours per status, stored only with cache: true`, async (t) => {
    const upstream = await startUpstream(t, { [path]: failure });
    const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
    const tile = (z: number, x: number, y: number) =>
      `${proxy.url}/tms/1.0.0/${layer}/EPSG900913/${z}/${x}/${y}.png`;
    const cacheDir = join(proxy.dir, 'cache_data', `${layer}_cache_EPSG900913`);
    const seen = (where: string) => upstream.requests.filter((r) => area(r) === where).length;

    // 500 -> '#ff0000', cache: false: served, not stored, asked again next time
    for (const attempt of [1, 2]) {
      assert.deepEqual(await tilePixel(tile(1, 0, 0)), RED, `500, attempt ${attempt}`);
      assert.equal(seen('sw'), attempt);
    }
    // 404 -> [0, 255, 0], cache: true: stored, the second request stays in the cache
    for (const attempt of [1, 2])
      assert.deepEqual(await tilePixel(tile(1, 3, 0)), GREEN, `404, attempt ${attempt}`);
    assert.equal(seen('se'), 1);
    // a timeout (client_timeout: 0.5) falls under `other`: '#0000ff'
    assert.deepEqual(await tilePixel(tile(1, 0, 3)), BLUE, 'timeout');
    // a text answer is no HTTP error: MapProxy's WMS client raises a plain source error that
    // on_error does not cover (TMS 500 with its message). Its ArcGIS client does not check the
    // content type and stores the text as the tile; we refuse the non-image for both
    const text = await fetch(tile(1, 3, 3));
    assert.equal(text.status, 500);
    assert.match(
      await text.text(),
      /<Message>no image returned from source WMS: http:\/\/127\.0\.0\.1:\d+\//,
    );
    // 204 -> transparent, also in the ArcGIS cache, which is left open on transparency (MapProxy
    // encodes its on_error image without flattening it)
    assert.deepEqual(await tilePixel(tile(0, 0, 0)), [255, 255, 255, 0], '204');
    assert.deepEqual(await storedTiles(cacheDir), ['02/000/000/003/000/000/000.png']);
    assert.equal(upstream.requests.length, 6);
    upstream.verify();
  });
}

test('wms GetMap without a cache: on_error colours for the map', async (t) => {
  const upstream = await startUpstream(t, { [WMS_PATH]: failure });
  const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
  const map =
    '/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&STYLES=&FORMAT=image%2Fpng&SRS=EPSG:900913' +
    '&WIDTH=200&HEIGHT=100&LAYERS=wms_direct&TRANSPARENT=true';
  assert.deepEqual(
    await tilePixel(`${proxy.url}${map}&BBOX=-15000000,-15000000,-5000000,-10000000`, [200, 100]),
    RED,
    '500',
  );
  assert.deepEqual(
    await tilePixel(`${proxy.url}${map}&BBOX=5000000,-15000000,15000000,-10000000`, [200, 100]),
    GREEN,
    '404',
  );
  assert.deepEqual(
    await tilePixel(`${proxy.url}${map}&BBOX=-15000000,10000000,-5000000,15000000`, [200, 100]),
    BLUE,
    'timeout',
  );
  // MapProxy 1.15: a text answer is an exception document (status 200), not an on_error colour
  const text = await fetch(`${proxy.url}${map}&BBOX=5000000,10000000,15000000,15000000`);
  assert.equal(text.status, 200);
  assert.equal(text.headers.get('content-type'), 'application/vnd.ogc.se_xml');
  assert.match(await text.text(), /Could not get any sources:\nno image returned from source WMS: /);
  assert.equal(upstream.requests.length, 4);
  upstream.verify();
});

for (const [kind, layer, path] of [
  ['wms', 'wms_stale', WMS_PATH],
  ['arcgis', 'arcgis_stale', ARCGIS_STALE],
] as const) {
  test(`${kind} source: authorize_stale serves the stale cached tile when the source fails`, async (t) => {
    let failing = false;
    const upstream = await startUpstream(t, {
      [path]: (r) => (failing ? { status: 500, body: 'down' } : goodImage(r)),
    });
    const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
    const tile = (x: number, y: number) => `${proxy.url}/tms/1.0.0/${layer}/EPSG900913/1/${x}/${y}.png`;
    const cacheDir = join(proxy.dir, 'cache_data', `${layer}_cache_EPSG900913`);
    assert.deepEqual(await tilePixel(tile(0, 0)), GOOD, 'created');
    await ageTiles(cacheDir);
    failing = true;
    // stale and the source answers 500: the old tile, not the on_error colour
    assert.deepEqual(await tilePixel(tile(0, 0)), GOOD, 'stale tile');
    // nothing cached: the on_error colour
    assert.deepEqual(await tilePixel(tile(1, 0)), RED, 'no stale tile');
    assert.equal(upstream.requests.length, 3);
    assert.deepEqual(await storedTiles(cacheDir), ['02/000/000/000/000/000/000.png']);
    upstream.verify();
  });
}

test('without authorize_stale a stale tile gives way to the on_error colour', async (t) => {
  let failing = false;
  const upstream = await startUpstream(t, {
    [WMS_PATH]: (r) => (failing ? { status: 500, body: 'down' } : goodImage(r)),
  });
  const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
  const tile = `${proxy.url}/tms/1.0.0/wms_not_stale/EPSG900913/1/0/0.png`;
  assert.deepEqual(await tilePixel(tile), GOOD, 'created');
  const cacheDir = join(proxy.dir, 'cache_data', 'wms_not_stale_cache_EPSG900913');
  await ageTiles(cacheDir);
  failing = true;
  assert.deepEqual(await tilePixel(tile), RED, 'stale tile, source fails');
  assert.equal(upstream.requests.length, 2);
  // the colour was not stored (cache: false): the stale tile is still there
  assert.deepEqual(await storedTiles(cacheDir), ['02/000/000/000/000/000/000.png']);
  upstream.verify();
});
