/**
 * A cache `format` that names no format (`png8a`, as in MapProxy's layer.yaml): MapProxy 1.15
 * falls back to PNG for storing and serving, yet requests `format=image/png8a` upstream. Each
 * expectation below was captured from MapProxy on test/fixtures/unnamed-cache-format/.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { startProxy } from '../helpers/proxy.js';
import { solidPng, startUpstream, wmsQuery } from '../helpers/upstream.js';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

test('a cache with an unnamed format stores and serves PNG, and asks upstream for it by name', async (t) => {
  const upstream = await startUpstream(t);
  upstream.expect(
    wmsQuery('/service', {
      layers: 'foo',
      format: 'image/png8a',
      bbox: '-20037508.342789244,-20037508.34278924,-10018754.171394622,-10018754.17139462',
      width: '256',
      height: '256',
      srs: 'EPSG:3857',
      request: 'GetMap',
      version: '1.1.1',
      service: 'WMS',
      styles: '',
    }),
    await solidPng([200, 30, 30]),
  );
  const proxy = await startProxy(t, join('unnamed-cache-format', 'mapproxy.yaml'), { UPSTREAM_URL: upstream.url });
  const caps = await (await fetch(`${proxy.url}/tms/1.0.0/unnamed/EPSG3857`)).text();
  assert.match(caps, /<TileFormat width="256" height="256" mime-type="image\/png" extension="png"\s*\/>/);
  const tile = await fetch(`${proxy.url}/tms/1.0.0/unnamed/EPSG3857/1/0/0.png`);
  assert.equal(tile.status, 200);
  assert.equal(tile.headers.get('content-type'), 'image/png');
  await tile.arrayBuffer();
  const byName = await fetch(`${proxy.url}/tms/1.0.0/unnamed/EPSG3857/1/0/0.png8a`);
  assert.equal(byName.status, 404);
  await byName.arrayBuffer();
  assert.deepEqual(await filesUnder(join(proxy.dir, 'cache_data')), [
    join('unnamed_cache_EPSG3857', '02', '000', '000', '000', '000', '000', '003.png'),
  ]);
  upstream.verify();
});
