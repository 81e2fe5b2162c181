/**
 * Caches fed by caches (MapProxy's cache_source.yaml fixture): MapProxy reads a source cache tile
 * for tile only when every source of the consuming cache allows it (`tiled_only`), and otherwise
 * treats all of them as free-form sources that take meta tiles, so the fixture loads.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { psnr } from '../differential/compare.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { pixelAt, solidPng, startUpstream, type UpstreamRequest } from '../helpers/upstream.js';
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

/** The captured upstream: a gradient per tile, coloured by the tile's `tc_path` coordinates. */
async function gradientTile(request: UpstreamRequest): Promise<Buffer> {
  const match = /\/tiles\/(?:utm\/)?(\d+)\/(\d+)\/(\d+)\/(\d+)\/(\d+)\/(\d+)\/(\d+)\.png/.exec(
    request.pathname,
  );
  assert.ok(match, request.pathname);
  const [z, x, y] = [match[1], `${match[2]}${match[3]}${match[4]}`, `${match[5]}${match[6]}${match[7]}`].map(
    Number,
  );
  const data = Buffer.alloc(256 * 256 * 3);
  for (let py = 0; py < 256; py++) {
    for (let px = 0; px < 256; px++) {
      const o = (py * 256 + px) * 3;
      data[o] = ((x ?? 0) * 17 + Math.floor(px / 2)) % 256;
      data[o + 1] = ((y ?? 0) * 29 + Math.floor(py / 2)) % 256;
      data[o + 2] = ((z ?? 0) * 30) % 256;
    }
  }
  return sharp(data, { raw: { width: 256, height: 256, channels: 3 } })
    .png()
    .toBuffer();
}

async function rgba(png: Buffer): Promise<Buffer> {
  return sharp(png).ensureAlpha().raw().toBuffer();
}

test('a UTM cache fed by a mercator cache reprojects its tiles as MapProxy 1.15 does', async (t) => {
  // every level-7 and level-8 tile around the area (the helper routes exact paths)
  const routes: Record<string, typeof gradientTile> = {};
  const pad = (n: number): string => String(n).padStart(3, '0');
  for (const [z, x0, y0] of [
    [7, 60, 78],
    [8, 126, 160],
  ] as const) {
    for (let x = x0; x < x0 + 16; x++)
      for (let y = y0; y < y0 + 16; y++)
        routes[`/tiles/0${z}/000/000/${pad(x)}/000/000/${pad(y)}.png`] = gradientTile;
  }
  const upstream = await startUpstream(t, routes);
  const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
  for (const [expected, path] of [
    ['tms_transf_3_3_4.png', '/tms/1.0.0/tms_transf/EPSG25832/3/3/4.png'],
    [
      'getmap_tms_transf_utm.png',
      '/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=tms_transf&STYLES=&SRS=EPSG:25832' +
        '&BBOX=500000,5300000,600000,5400000&WIDTH=300&HEIGHT=300&FORMAT=image/png',
    ],
  ] as const) {
    const res = await fetch(`${proxy.url}${path}`);
    assert.equal(res.status, 200, path);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.headers.get('content-type'), 'image/png', `${path}: ${body.toString('latin1', 0, 300)}`);
    const ours = await rgba(body);
    const theirs = await rgba(await readFile(join(FIXTURES_DIR, 'cache-source', expected)));
    // both quantise to 256 colours on their own: the differential runner's 35 dB
    const db = psnr(ours, theirs);
    assert.ok(db >= 35, `${path}: PSNR ${db.toFixed(1)} dB against MapProxy's ${expected}`);
  }
  // MapProxy 1.15 fetched level-7 tiles x 67-69, y 85-88 for the TMS tile and level-8 tiles
  // x 134-135, y 166-168 for the map
  const fetched = new Set(upstream.requests.map((r) => r.pathname));
  for (let x = 67; x <= 69; x++)
    for (let y = 85; y <= 88; y++)
      assert.ok(fetched.has(`/tiles/07/000/000/${pad(x)}/000/000/${pad(y)}.png`));
  for (let x = 134; x <= 135; x++)
    for (let y = 166; y <= 168; y++)
      assert.ok(fetched.has(`/tiles/08/000/000/${pad(x)}/000/000/${pad(y)}.png`));
});

/** The differential runner's upstream: one colour per tile path (the first bytes of its SHA-1). */
function hashColourTile(request: UpstreamRequest): Promise<Buffer> {
  const [r, g, b] = createHash('sha1').update(request.pathname).digest();
  return solidPng([r ?? 0, g ?? 0, b ?? 0]);
}

test('a cache fed by a cache in another SRS renders only inside its own grid bbox, as MapProxy 1.15', async (t) => {
  // MapProxy's CacheSource extent is the source cache's extent cut to the consuming cache's grid
  // bbox (in EPSG:3857 here): UTM tile 0/0/0 reaches far beyond it and is white there; MapProxy
  // fetched these two level-4 tiles and no other
  const upstream = await startUpstream(t);
  for (const path of ['/tiles/04/000/000/008/000/000/010.png', '/tiles/04/000/000/008/000/000/011.png'])
    upstream.expect(path, hashColourTile);
  const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
  const res = await fetch(`${proxy.url}/tms/1.0.0/tms_transf/EPSG25832/0/0/0.png`);
  assert.equal(res.status, 200);
  const ours = await rgba(Buffer.from(await res.arrayBuffer()));
  const theirs = await rgba(
    await readFile(join(FIXTURES_DIR, 'cache-source', 'tms_transf_0_0_0_extent.png')),
  );
  const db = psnr(ours, theirs);
  assert.ok(db >= 35, `PSNR ${db.toFixed(1)} dB against MapProxy's tms_transf_0_0_0_extent.png`);
  upstream.verify();
});

test('a cache fed by a disable_storage cache fetches a source tile once per meta tile that needs it, as MapProxy 1.15', async (t) => {
  // MapProxy shares nothing between creations of a cache that stores nothing: the two UTM meta
  // tiles of this map both need level-7 rows 83 and 84, and each fetched them (18 requests)
  const captured = JSON.parse(
    await readFile(join(FIXTURES_DIR, 'cache-source', 'upstream-requests.json'), 'utf8'),
  ) as { path: string; upstream: string[] }[];
  for (const { path, upstream: expected } of captured) {
    const upstream = await startUpstream(t);
    const counts = new Map<string, number>();
    for (const tile of expected) counts.set(tile, (counts.get(tile) ?? 0) + 1);
    for (const [tile, times] of counts) upstream.expect(tile, hashColourTile, { times });
    const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
    const res = await fetch(proxy.url + path);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    upstream.verify();
  }
});

test('a map reaching beyond the tiles of an opaque cache is white there, as MapProxy 1.15 draws its tile mosaic', async (t) => {
  // tms_transf's extent is its source cache's, cut to the UTM grid in EPSG:3857 and transformed
  // back: it reaches ~23 km (rows 352-362 of this map) below the grid, where there are no tiles.
  // MapProxy's TileMerger draws the tiles on create_image, for an opaque cache RGB white, so those
  // rows are white; below the extent the map is transparent
  // MapProxy 1.15 fetched the level-6 tiles x 32-35, y 41-44 (some twice: the source cache stores nothing)
  const routes: Record<string, typeof hashColourTile> = {};
  for (let x = 32; x <= 35; x++)
    for (let y = 41; y <= 44; y++)
      routes[`/tiles/06/000/000/0${String(x)}/000/000/0${String(y)}.png`] = hashColourTile;
  const upstream = await startUpstream(t, routes);
  const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
  const path =
    '/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=tms_transf&STYLES=&SRS=EPSG:25832' +
    '&BBOX=671191.8915,4947898.991,1481621.203,5847937.205&WIDTH=379&HEIGHT=421&FORMAT=image/png&TRANSPARENT=TRUE';
  // the second answer, drawn from the stored tiles (the first takes the tiles just created)
  let body = Buffer.alloc(0);
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${proxy.url}${path}`);
    assert.equal(res.status, 200);
    body = Buffer.from(await res.arrayBuffer());
  }
  assert.deepEqual(await pixelAt(body, 100, 356), [252, 253, 253, 255]);
  assert.equal((await pixelAt(body, 100, 365))[3], 0);
  const theirs = await rgba(
    await readFile(join(FIXTURES_DIR, 'cache-source', 'getmap_tms_transf_beyond_grid.png')),
  );
  const db = psnr(await rgba(body), theirs);
  assert.ok(db >= 35, `PSNR ${db.toFixed(1)} dB against MapProxy's getmap_tms_transf_beyond_grid.png`);
});
