/**
 * The s3 cache end to end over real sockets, against the test's own S3-compatible server: a TMS
 * miss is created and stored under MapProxy 1.15's keys (pinned from `mapproxy-seed` 1.15 on the
 * same configuration), objects MapProxy wrote are served with no upstream request, `seed` fills the
 * bucket and a cleanup empties it, a refused store fails the seed, and `check` refuses bad options
 * at their key.
 */
import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { checkConfig, runSeed } from '../../src/core/index.js';
import { copyFixture, FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { isolateAwsSdk, startS3Server, type S3Server } from '../helpers/s3-server.js';
import { solidPng, startUpstream, type Upstream } from '../helpers/upstream.js';

isolateAwsSdk();

/** The keys mapproxy-seed 1.15 wrote for `seeds: all` (levels 0-1 of both caches). */
const MAPPROXY_KEYS = [
  '1.0.0/custom/00/000/000/000/000/000/000.jpeg',
  '1.0.0/custom/01/000/000/000/000/000/000.jpeg',
  '1.0.0/custom/01/000/000/000/000/000/001.jpeg',
  '1.0.0/custom/01/000/000/001/000/000/000.jpeg',
  '1.0.0/custom/01/000/000/001/000/000/001.jpeg',
  'plain_cache/GLOBAL_WEBMERCATOR/0/0/0.png',
  'plain_cache/GLOBAL_WEBMERCATOR/1/0/0.png',
  'plain_cache/GLOBAL_WEBMERCATOR/1/0/1.png',
  'plain_cache/GLOBAL_WEBMERCATOR/1/1/0.png',
  'plain_cache/GLOBAL_WEBMERCATOR/1/1/1.png',
];

interface Setup {
  readonly s3: S3Server;
  readonly upstream: Upstream;
  readonly configFile: string;
}

async function setup(t: TestContext): Promise<Setup> {
  const s3 = await startS3Server(t, ['mp-tiles']);
  const upstream = await startUpstream(t, {
    '/service': async (request) => {
      const size = [Number(request.query.get('width')), Number(request.query.get('height'))] as const;
      return solidPng([200, 30, 40], size);
    },
  });
  const configFile = await copyFixture(t, 's3-cache/mapproxy.yaml', {
    S3_URL: s3.url,
    UPSTREAM_URL: upstream.url,
  });
  await copyFile(join(FIXTURES_DIR, 's3-cache/seed.yaml'), join(dirname(configFile), 'seed.yaml'));
  return { s3, upstream, configFile };
}

test("a TMS miss is stored under MapProxy's key and the next request is served from the bucket", async (t) => {
  const { s3, upstream } = await setup(t);
  const proxy = await startProxy(t, 's3-cache/mapproxy.yaml', { S3_URL: s3.url, UPSTREAM_URL: upstream.url });
  for (const attempt of ['miss', 'hit']) {
    const res = await fetch(`${proxy.url}/tms/1.0.0/plain/EPSG3857/0/1/0.png`);
    assert.equal(res.status, 200, attempt);
    const { data, info } = await sharp(Buffer.from(await res.arrayBuffer()))
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.deepEqual([...data.subarray(0, 3), info.width], [200, 30, 40, 256], attempt);
  }
  assert.equal(upstream.requests.length, 1); // one 2x2 meta tile, then hits
  const objects = s3.bucket('mp-tiles');
  assert.deepEqual(
    [...objects.keys()].sort(),
    MAPPROXY_KEYS.filter((k) => k.startsWith('plain_cache/GLOBAL_WEBMERCATOR/1/')),
  );
  assert.ok(s3.requests.every((r) => r.accessKeyId === 'AKIDSYSTEM'));
});

test('objects MapProxy wrote are served unchanged with no upstream request', async (t) => {
  const { s3, upstream } = await setup(t);
  const tile = await sharp({
    create: { width: 256, height: 256, channels: 3, background: { r: 1, g: 2, b: 250 } },
  })
    .jpeg()
    .toBuffer();
  s3.bucket('mp-tiles').set('1.0.0/custom/01/000/000/001/000/000/001.jpeg', {
    body: tile,
    contentType: 'image/jpeg',
    acl: 'public-read',
    lastModified: new Date(),
  });
  const proxy = await startProxy(t, 's3-cache/mapproxy.yaml', { S3_URL: s3.url, UPSTREAM_URL: upstream.url });
  const res = await fetch(`${proxy.url}/tms/1.0.0/custom/EPSG3857/0/1/0.jpeg`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/jpeg');
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(tile));
  assert.equal(upstream.requests.length, 0);
});

test('with the S3 store down, tiles come from the source and are served unstored', async (t) => {
  const { s3, upstream } = await setup(t);
  const down = s3.url;
  await s3.close(); // connections to its port are refused now
  const proxy = await startProxy(t, 's3-cache/mapproxy.yaml', { S3_URL: down, UPSTREAM_URL: upstream.url });
  for (const attempt of [1, 2]) {
    const res = await fetch(`${proxy.url}/tms/1.0.0/plain/EPSG3857/0/1/0.png`);
    assert.equal(res.status, 200, `attempt ${String(attempt)}`);
    const { data } = await sharp(Buffer.from(await res.arrayBuffer()))
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.deepEqual([...data.subarray(0, 3)], [200, 30, 40]);
  }
  assert.equal(upstream.requests.length, 2, 'nothing was stored, so each request reaches the source');
});

test('seed writes every key MapProxy 1.15 wrote, with its headers; a cleanup removes them', async (t) => {
  const { s3, upstream, configFile } = await setup(t);
  const seedConfigFile = join(dirname(configFile), 'seed.yaml');
  const seeded = await runSeed({
    proxyConfigFile: configFile,
    seedConfigFile,
    seeds: ['all'],
    cleanups: [],
    concurrency: 2,
  });
  assert.equal(seeded.failureCount, 0);
  assert.equal(upstream.requests.length, 4); // level 0 and level 1 of each cache, one 2x2 meta tile each
  const objects = s3.bucket('mp-tiles');
  assert.deepEqual([...objects.keys()].sort(), MAPPROXY_KEYS);
  for (const [key, object] of objects) {
    const jpeg = key.endsWith('.jpeg');
    assert.equal(object.contentType, jpeg ? 'image/jpeg' : 'image/png', key);
    assert.equal(object.acl, jpeg ? 'public-read' : undefined, key);
    assert.equal((await sharp(object.body).metadata()).format, jpeg ? 'jpeg' : 'png', key);
  }

  const cleaned = await runSeed({
    proxyConfigFile: configFile,
    seedConfigFile,
    seeds: [],
    cleanups: ['plain'],
  });
  assert.equal(cleaned.failureCount, 0);
  assert.deepEqual(
    [...objects.keys()].sort(),
    MAPPROXY_KEYS.filter((k) => k.startsWith('1.0.0/')),
  );
  assert.equal(s3.requests.filter((r) => r.method === 'DELETE').length, 5);
});

test('a store the bucket refuses fails the seed run', async (t) => {
  const { s3, configFile } = await setup(t);
  s3.fail({
    when: (r) => r.method === 'PUT' && r.key.startsWith('plain_cache/'),
    status: 403,
    code: 'AccessDenied',
  });
  const result = await runSeed({
    proxyConfigFile: configFile,
    seedConfigFile: join(dirname(configFile), 'seed.yaml'),
    seeds: ['all'],
    cleanups: [],
    retries: 1,
    retryDelayMs: 1,
  });
  assert.ok(result.failureCount > 0, `failureCount ${String(result.failureCount)}`);
  assert.deepEqual(
    [...s3.bucket('mp-tiles').keys()].filter((k) => k.startsWith('plain_cache/')),
    [],
  );
});

test('check refuses an s3 cache without a bucket and one with a bad endpoint_url, at their keys', async (t) => {
  const configFile = await copyFixture(t, 's3-cache/mapproxy.yaml', {
    S3_URL: 'http://127.0.0.1:1',
    UPSTREAM_URL: 'http://127.0.0.1:1',
  });
  await writeFile(
    configFile,
    `caches:
  a:
    grids: [GLOBAL_WEBMERCATOR]
    sources: []
    cache:
      type: s3
  b:
    grids: [GLOBAL_WEBMERCATOR]
    sources: []
    cache:
      type: s3
      bucket_name: x
      endpoint_url: 127.0.0.1:9000
layers:
  - name: a
    title: a
    sources: [a, b]
`,
  );
  const result = await checkConfig({ configFile });
  assert.equal(result.ok, false);
  assert.deepEqual(
    result.errors
      .map(
        (e) =>
          `${String(e.line)} ${e.path.join('.')}: ${e.message.replace(/^.*? caches\.[ab]\.cache\S*: /, '')}`,
      )
      .sort(),
    [
      '13 caches.b.cache.endpoint_url: endpoint_url "127.0.0.1:9000" is not an http:// or https:// URL',
      '6 caches.a.cache: no bucket_name configured for s3 cache a (set cache.bucket_name or globals.cache.s3.bucket_name)',
    ],
  );
});
