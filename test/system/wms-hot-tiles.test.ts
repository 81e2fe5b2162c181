/**
 * WMS GetMap reads its cached tiles through `globals.cache.hot_tiles` as tile services do: maps of
 * one area share their tiles, and a tile kept in memory costs the next map no file system call.
 */
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startProxy } from '../helpers/proxy.js';
import { pixelAt, solidPng, startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const RED = [200, 30, 30, 255] as const;
const BLUE = [20, 40, 220, 255] as const;

/** A level-2 tile of GLOBAL_WEBMERCATOR, asked as a 256x256 map (the tiles are stitched and scaled). */
const GETMAP =
  '/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=osm&STYLES=&FORMAT=image/png&SRS=EPSG:3857' +
  '&BBOX=-10018754.17,0,0,10018754.17&WIDTH=256&HEIGHT=256';

async function proxyWith(t: TestContext, maxMb: string) {
  const upstream = await startUpstream(t);
  // the level-2 meta tile (4x4 tiles), red, asked for once
  upstream.expect(
    (r: UpstreamRequest) => r.query.get('request') === 'GetMap' && r.query.get('width') === '1024',
    () => solidPng(RED, [1024, 1024]),
    { times: 1 },
  );
  return startProxy(t, 'wms-hot-tiles/mapproxy.yaml', {
    UPSTREAM_URL: upstream.url,
    MAX_MB: maxMb,
    TTL_SECONDS: '3600',
  });
}

/** Overwrites every stored level-2 tile with a blue one, behind the proxy's back. */
async function paintStoredTilesBlue(dir: string): Promise<number> {
  const level = join(dir, 'cache_data', 'osm_cache_EPSG3857', '02');
  const files = (await readdir(level, { recursive: true })).filter((f) => f.endsWith('.png'));
  const blue = await solidPng(BLUE);
  await Promise.all(files.map((f) => writeFile(join(level, f), blue)));
  return files.length;
}

async function centrePixel(url: string): Promise<number[]> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  return pixelAt(Buffer.from(await res.arrayBuffer()), 128, 128);
}

test('a GetMap within the TTL takes the tiles a previous GetMap read from memory', async (t) => {
  const proxy = await proxyWith(t, '8');
  assert.deepEqual(await centrePixel(`${proxy.url}${GETMAP}`), [...RED], 'created');
  assert.deepEqual(await centrePixel(`${proxy.url}${GETMAP}`), [...RED], 'read from the files, and kept');
  assert.equal(await paintStoredTilesBlue(proxy.dir), 16);
  assert.deepEqual(await centrePixel(`${proxy.url}${GETMAP}`), [...RED], 'the kept tiles, not the files');
});

test('without the hot-tile cache every GetMap reads the stored tiles', async (t) => {
  const proxy = await proxyWith(t, '0');
  assert.deepEqual(await centrePixel(`${proxy.url}${GETMAP}`), [...RED], 'created');
  assert.deepEqual(await centrePixel(`${proxy.url}${GETMAP}`), [...RED], 'read from the files');
  assert.equal(await paintStoredTilesBlue(proxy.dir), 16);
  assert.deepEqual(await centrePixel(`${proxy.url}${GETMAP}`), [...BLUE], 'read from the files again');
});
