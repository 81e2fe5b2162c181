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
