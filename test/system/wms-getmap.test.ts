/**
 * WMS GetMap over real sockets: reprojection from a web-mercator cache compared with MapProxy
 * 1.15's answers (decoded pixels), caching, layer merging, transparency and source errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { CAPTURES } from '../fixtures/wms/captures.js';
import { captured, imageDiff, startWmsProxy } from '../fixtures/wms/kit.js';
import { pixelAt as pixelOf } from '../helpers/upstream.js';

/** The RGBA pixel (x, y) of a response's image. */
const pixelAt = async (res: Response, x: number, y: number) =>
  pixelOf(Buffer.from(await res.arrayBuffer()), x, y);

const MAP = '/service?SERVICE=WMS&REQUEST=GetMap&STYLES=&FORMAT=image%2Fpng&VERSION=1.1.1';

for (const name of ['getmap-4326', 'getmap-25832', 'getmap-3857', 'getmap-130-4326', 'getmap-direct']) {
  test(`${name}: the GetMap looks like MapProxy 1.15's answer`, async (t) => {
    const { proxy } = await startWmsProxy(t);
    const res = await fetch(proxy.url + (CAPTURES[name] ?? ''));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    const expected = await captured(name);
    const diff = await imageDiff(expected.body, Buffer.from(await res.arrayBuffer()));
    t.diagnostic(
      `${name}: mean ${diff.mean.toFixed(3)}, over 32: ${(diff.over32 * 100).toFixed(3)} %, max ${diff.max}`,
    );
    assert.ok(
      diff.mean <= 1 && diff.over32 <= 0.005,
      `${name} differs from MapProxy: ${JSON.stringify(diff)}`,
    );
  });
}

test('the first GetMap creates the tiles, the second is served from the cache', async (t) => {
  const { proxy, upstream } = await startWmsProxy(t);
  const url = proxy.url + (CAPTURES['getmap-25832'] ?? '');
  const first = await fetch(url);
  assert.equal(first.status, 200);
  await first.arrayBuffer();
  const created = upstream.requests.length;
  assert.ok(created > 0, 'the first request fetched tiles');
  assert.ok(upstream.requests.every((r) => r.pathname.startsWith('/tiles/')));
  const second = await fetch(url);
  assert.equal(second.status, 200);
  await second.arrayBuffer();
  assert.equal(upstream.requests.length, created, 'no upstream request for the cached tiles');
});

// issue 12: a map partly outside the web-mercator grid, as MapProxy 1.15 renders it. The extent is
// tested in the grid's SRS (4326 clamped at ±85.06°), so these render whole: where the opaque
// cache's RGB mosaic has no source the reprojection is black (even with TRANSPARENT or BGCOLOR);
// a point PROJ cannot project drops out of the bbox. The pattern is the same at every level, so
// the tiles fetched pin the level.
for (const name of ['getmap-overhang-4326', 'getmap-overhang-130-4326', 'getmap-far-25832', 'getmap-beyond-crs84']) {
  test(`${name}: pixels and tiles fetched are MapProxy 1.15's`, async (t) => {
    const { proxy, upstream } = await startWmsProxy(t);
    const res = await fetch(proxy.url + (CAPTURES[name] ?? ''));
    assert.equal(res.status, 200);
    const expected = await captured(name);
    const diff = await imageDiff(expected.body, Buffer.from(await res.arrayBuffer()));
    assert.ok(diff.mean <= 1 && diff.over32 <= 0.005, `${name} differs from MapProxy: ${JSON.stringify(diff)}`);
    assert.deepEqual(upstream.requests.map((r) => r.pathname).sort(), expected.upstream);
  });
}

test('layers merge in order: the half-transparent direct layer over the pattern', async (t) => {
  const { proxy, upstream } = await startWmsProxy(t);
  const res = await fetch(
    `${proxy.url}${MAP}&LAYERS=pattern,direct&SRS=EPSG:3857&BBOX=0,5000000,2000000,7000000&WIDTH=64&HEIGHT=64`,
  );
  assert.equal(res.status, 200);
  const pixel = await pixelAt(res, 10, 10);
  // orange at alpha 0.5 over the pattern: red at least half, blue at most half of the pattern's
  assert.ok(pixel[0] >= 127 && pixel[3] === 255, `merged pixel ${pixel.join(',')}`);
  const direct = upstream.requests.filter((r) => r.pathname === '/wms');
  assert.equal(direct.length, 1);
  assert.equal(direct[0]?.query.get('srs'), 'EPSG:3857');
});

test('a layer outside its resolution range is not rendered and its source not asked', async (t) => {
  const { proxy, upstream } = await startWmsProxy(t);
  // 360° on 10 px is far coarser than the direct layer's min_res of 100 km
  const res = await fetch(
    `${proxy.url}${MAP}&LAYERS=direct&SRS=EPSG:4326&BBOX=-180,-90,180,90&WIDTH=10&HEIGHT=5&TRANSPARENT=true`,
  );
  assert.equal(res.status, 200);
  assert.equal((await pixelAt(res, 5, 2))[3], 0);
  assert.equal(upstream.requests.filter((r) => r.pathname === '/wms').length, 0);
});

test('on_source_errors: raise answers an exception, notify draws the error over the other layers', async (t) => {
  const query = `${MAP}&LAYERS=pattern,broken&SRS=EPSG:3857&BBOX=0,5000000,2000000,7000000&WIDTH=200&HEIGHT=100`;
  const raising = await startWmsProxy(t, 'wms-errors.yaml', { ON_SOURCE_ERRORS: 'raise' });
  const raised = await fetch(raising.proxy.url + query);
  assert.equal(raised.status, 200);
  assert.equal(raised.headers.get('content-type'), 'application/vnd.ogc.se_xml');
  assert.match(await raised.text(), /<ServiceException>HTTP Error/);
  for (const mode of ['notify', 'ignore']) {
    const { proxy } = await startWmsProxy(t, 'wms-errors.yaml', { ON_SOURCE_ERRORS: mode });
    const res = await fetch(proxy.url + query);
    assert.equal(res.status, 200, mode);
    assert.equal(res.headers.get('content-type'), 'image/png', mode);
    const { data } = await sharp(Buffer.from(await res.arrayBuffer()))
      .raw()
      .toBuffer({ resolveWithObject: true });
    // the error text is black: notify has dark pixels in the top left corner, ignore has none
    let dark = 0;
    for (let y = 0; y < 20; y++)
      for (let x = 0; x < 100; x++) if ((data[(y * 200 + x) * 3] ?? 255) < 20) dark++;
    if (mode === 'notify') assert.ok(dark > 10, `notify draws the error (${dark} dark pixels)`);
    else assert.equal(dark, 0, 'ignore draws nothing');
  }
});

test('on_source_errors: notify answers "Could not get any sources" when every layer failed, as MapProxy 1.15', async (t) => {
  const { proxy, upstream } = await startWmsProxy(t, 'wms-errors.yaml', { ON_SOURCE_ERRORS: 'notify' });
  const res = await fetch(proxy.url + (CAPTURES['errors-all-failed'] ?? ''));
  const expected = await captured('errors-all-failed');
  assert.equal(res.status, expected.status);
  assert.equal(res.headers.get('content-type'), expected.contentType);
  const text = (body: string) => /<ServiceException>([^<]*)</.exec(body)?.[1];
  assert.equal(text(await res.text()), text(expected.body.toString('utf8')));
  assert.equal(upstream.requests.length, expected.upstream?.length);
});

test('max_output_pixels refuses larger maps with an XML exception even for EXCEPTIONS=inimage', async (t) => {
  const { proxy, upstream } = await startWmsProxy(t);
  const res = await fetch(
    `${proxy.url}${MAP}&LAYERS=pattern&SRS=EPSG:4326&BBOX=5,45,15,55&WIDTH=5000&HEIGHT=5000&EXCEPTIONS=application/vnd.ogc.se_inimage`,
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/vnd.ogc.se_xml');
  assert.match(await res.text(), /image size too large/);
  assert.equal(upstream.requests.length, 0);
});

test('use_direct_from_level: coarse maps come from the cache, finer ones straight from the source', async (t) => {
  const { proxy, upstream } = await startWmsProxy(t, 'wms-direct.yaml');
  const map = `${proxy.url}${MAP}&LAYERS=cached&SRS=EPSG:3857&WIDTH=256&HEIGHT=256`;
  // level 0 resolution: one tile of the cache, requested as a 256 px meta tile of the world
  const coarse = await fetch(
    `${map}&BBOX=-20037508.342789244,-20037508.342789244,20037508.342789244,20037508.342789244`,
  );
  assert.equal(coarse.status, 200);
  await coarse.arrayBuffer();
  const cacheRequest = upstream.requests.at(-1);
  assert.equal(
    cacheRequest?.query.get('bbox'),
    '-20037508.342789244,-20037508.342789244,20037508.342789244,20037508.342789244',
  );
  // about level 5: the request bbox goes to the source unchanged
  const fine = await fetch(`${map}&BBOX=1000000,6000000,1300000,6300000`);
  assert.equal(fine.status, 200);
  await fine.arrayBuffer();
  assert.equal(upstream.requests.at(-1)?.query.get('bbox'), '1000000.0,6000000.0,1300000.0,6300000.0');
  assert.equal(upstream.requests.length, 2);
});
