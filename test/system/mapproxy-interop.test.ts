/**
 * Cache interop with MapProxy 1.15 over real sockets: a cache tree MapProxy wrote (tc and tms
 * layouts, test/fixtures/mapproxy-1.15/interop-system/) is served by us without one upstream
 * request, and for the same requests we write exactly the files MapProxy wrote.
 */
import assert from 'node:assert/strict';
import { cp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const FIXTURE = 'mapproxy-1.15/interop-system';
const fixturePath = (...parts: string[]) => join(FIXTURES_DIR, FIXTURE, ...parts);
const requests = JSON.parse(await readFile(fixturePath('requests.json'), 'utf8')) as string[];
const expected = JSON.parse(await readFile(fixturePath('expected.json'), 'utf8')) as {
  upstreamRequests: number;
  files: string[];
};

/** Tile files below `dir`, relative, sorted (lock files left out). */
async function tileFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.png'))
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** The capture's upstream: a gradient of the requested size (red along x, green along y). */
async function gradientWms(request: UpstreamRequest): Promise<Buffer> {
  const width = Number(request.query.get('width'));
  const height = Number(request.query.get('height'));
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set([x & 255, y & 255, 160], (y * width + x) * 3);
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

test('a cache written by MapProxy 1.15 is served as stored, without a single upstream request', async (t) => {
  // no routes: any upstream request fails the test
  const upstream = await startUpstream(t);
  const proxy = await startProxy(t, `${FIXTURE}/mapproxy.yaml`, { UPSTREAM_URL: upstream.url });
  const cacheDir = join(proxy.dir, 'cache_data');
  await cp(fixturePath('cache_data'), cacheDir, { recursive: true });
  const stored = new Set(
    await Promise.all(
      expected.files.map(async (file) => (await readFile(join(cacheDir, file))).toString('base64')),
    ),
  );
  for (const path of requests) {
    const res = await fetch(`${proxy.url}${path}`);
    assert.equal(res.status, 200, path);
    // a hit goes out unchanged: byte-identical to one of MapProxy's files
    assert.ok(
      stored.has(Buffer.from(await res.arrayBuffer()).toString('base64')),
      `${path} is a stored tile`,
    );
  }
  assert.equal(upstream.requests.length, 0);
  assert.deepEqual(await tileFiles(cacheDir), expected.files, 'nothing was added to the cache');
});

test('for the same requests we write exactly the tile files MapProxy 1.15 wrote', async (t) => {
  const upstream = await startUpstream(t, { '/service': gradientWms });
  const proxy = await startProxy(t, `${FIXTURE}/mapproxy.yaml`, { UPSTREAM_URL: upstream.url });
  for (const path of requests) {
    const res = await fetch(`${proxy.url}${path}`);
    assert.equal(res.status, 200, path);
    await res.arrayBuffer();
  }
  // same meta tiles (one upstream request each) and the same paths, so MapProxy finds every tile
  assert.equal(upstream.requests.length, expected.upstreamRequests);
  assert.deepEqual(await tileFiles(join(proxy.dir, 'cache_data')), expected.files);
});
