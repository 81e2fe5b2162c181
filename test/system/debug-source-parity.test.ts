/**
 * Issue 12, auth.yaml of the differential corpus: layers on a cache of the `debug` source serve
 * the tiles MapProxy 1.15 served (captured from it: every pixel the same). The bbox text is drawn
 * at the upper left in Pillow's default bitmap font, one tile at a time.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { psnr } from '../differential/compare.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

const DIR = join(FIXTURES_DIR, 'diff-parity');

const TILES = {
  'auth-tms-layer2a-7-120-61.png': '/tms/1.0.0/layer2a/EPSG900913/7/120/61.png',
  'auth-wmts-layer1a-6-45-40.png':
    '/service?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=layer1a&STYLE=&TILEMATRIXSET=GLOBAL_MERCATOR&TILEMATRIX=6&TILEROW=45&TILECOL=40&FORMAT=image%2Fpng',
};

/** RGBA pixels, with fully transparent ones all alike (their colour is no part of the image). */
async function pixels(png: Buffer): Promise<Buffer> {
  const data = await sharp(png).ensureAlpha().raw().toBuffer();
  for (let i = 0; i < data.length; i += 4) if (data[i + 3] === 0) data.writeUInt32BE(0, i);
  return data;
}

test('debug-source tiles are the ones MapProxy 1.15 serves, pixel for pixel', async (t) => {
  // the debug source asks no upstream; the configuration's WMS and tile sources must stay idle
  const upstream = await startUpstream(t);
  const proxy = await startProxy(t, 'diff-parity/auth.yaml', { UPSTREAM_URL: upstream.url });
  for (const [capture, path] of Object.entries(TILES)) {
    const res = await fetch(`${proxy.url}${path}`);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('content-type'), 'image/png', path);
    const ours = await pixels(Buffer.from(await res.arrayBuffer()));
    const theirs = await pixels(await readFile(join(DIR, capture)));
    assert.ok(ours.equals(theirs), `${path} differs from MapProxy's tile`);
  }
  upstream.verify();
  assert.equal(upstream.requests.length, 0);
});

/**
 * A map drawn while its tiles are created is the map drawn from the stored tiles (MapProxy answers
 * both with the same bytes): layer1's cache is opaque, so its tiles are white where the debug
 * source's image is transparent, also in the map that created them.
 */
test('a map of an opaque cache is the same on an empty cache as from the stored tiles (MapProxy 1.15)', async (t) => {
  const map =
    '/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=layer1&STYLES=&SRS=EPSG:900913' +
    '&BBOX=14099258.85,9163106.01,14299522.61,9271487.25&WIDTH=581&HEIGHT=312&TRANSPARENT=TRUE';
  for (const [format, capture] of [
    ['image/png', 'auth-map.png'],
    ['image/jpeg', 'auth-map.jpeg'],
  ] as const) {
    const upstream = await startUpstream(t);
    const proxy = await startProxy(t, 'diff-parity/auth.yaml', { UPSTREAM_URL: upstream.url });
    const theirs = await sharp(await readFile(join(DIR, capture)))
      .ensureAlpha()
      .raw()
      .toBuffer();
    for (const when of ['tiles created for it', 'tiles stored']) {
      const res = await fetch(`${proxy.url}${map}&FORMAT=${encodeURIComponent(format)}`);
      assert.equal(res.status, 200, `${format}, ${when}`);
      assert.equal(res.headers.get('content-type'), format);
      const ours = await sharp(Buffer.from(await res.arrayBuffer()))
        .ensureAlpha()
        .raw()
        .toBuffer();
      // PNG pixel for pixel; JPEG as close as two JPEG encoders of the same pixels come
      if (format === 'image/png')
        assert.ok(ours.equals(theirs), `${format}, ${when}: differs from MapProxy's`);
      else assert.ok(psnr(ours, theirs) >= 35, `${format}, ${when}: PSNR ${String(psnr(ours, theirs))} dB`);
    }
  }
});
