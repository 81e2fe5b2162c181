/**
 * Caches fed by caches (MapProxy's cache_source.yaml fixture): MapProxy reads a source cache tile
 * for tile only when every source of the consuming cache allows it (`tiled_only`), and otherwise
 * treats all of them as free-form sources that take meta tiles, so the fixture loads.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { pixelAt, solidPng, startUpstream } from '../helpers/upstream.js';
import { startProxy } from '../helpers/proxy.js';

const FIXTURE = join('cache-source', 'cache_source.yaml');

test('a cache on a sub-grid of its source cache takes that cache tile for tile', async (t) => {
  const upstream = await startUpstream(t);
  // captured from MapProxy 1.15 on the same configuration: this one tile request and no other
  upstream.expect('/tiles/08/000/000/215/000/000/136.png', await solidPng([200, 30, 30]));
  const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
  const res = await fetch(`${proxy.url}/tms/1.0.0/new_cache/EPSG3857/7/87/8.png`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  assert.deepEqual(await pixelAt(Buffer.from(await res.arrayBuffer()), 128, 128), [200, 30, 30, 255]);
  upstream.verify();
});

test('caches whose sources are caches of other grids load (meta tiles for every source)', async (t) => {
  const upstream = await startUpstream(t);
  const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
  const res = await fetch(`${proxy.url}/tms/1.0.0/`);
  assert.equal(res.status, 200);
  const body = await res.text();
  for (const layer of ['tms_transf/EPSG25832', 'new_cache/EPSG3857', 'combined/EPSG25832'])
    assert.match(body, new RegExp(`/tms/1\\.0\\.0/${layer.replace('/', '\\/')}"`), layer);
});
