/**
 * Seeding keeps the upstream busy (issue 13): `-c N` means N upstream requests in flight,
 * never more, and the next meta tiles are fetched while the last ones are still split, encoded and
 * stored. The stores are held by the test's S3 server until the upstream has seen the next requests.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { runSeed } from '../../src/core/index.js';
import { copyFixture } from '../helpers/fixtures.js';
import { isolateAwsSdk, startS3Server } from '../helpers/s3-server.js';
import { solidPng, startUpstream, type Upstream } from '../helpers/upstream.js';

isolateAwsSdk();

/** plain_cache (2x2 meta tiles) levels 0-2: 1 + 1 + 4 meta tiles, 1 + 4 + 16 tiles. */
const META_TILES = 6;
const TILES = 21;

/**
 * Seeds with `-c concurrency` while every tile write waits until the upstream has received
 * `2 * concurrency` requests: a seeder that fetches only after its last meta tile was stored never
 * gets there (the test times out). With `pairUp`, each upstream answer waits for a second request
 * in flight (or the last request), so a seeder with too many requests in flight shows as such.
 */
async function seedWithHeldWrites(t: TestContext, concurrency: number, pairUp: boolean) {
  const s3 = await startS3Server(t, ['mp-tiles']);
  let partner: (() => void) | null = null;
  const upstream: Upstream = await startUpstream(t, {
    '/service': async (request) => {
      if (pairUp && upstream.requests.length < META_TILES) {
        if (partner === null) await new Promise<void>((resolve) => (partner = resolve));
        else {
          partner();
          partner = null;
        }
      } else if (partner !== null) {
        partner();
        partner = null;
      }
      return solidPng(
        [200, 30, 40],
        [Number(request.query.get('width')), Number(request.query.get('height'))],
      );
    },
  });
  s3.hold((request) => request.method === 'PUT', upstream.waitForRequests(2 * concurrency));
  const configFile = await copyFixture(t, 's3-cache/mapproxy.yaml', {
    S3_URL: s3.url,
    UPSTREAM_URL: upstream.url,
  });
  const seedConfigFile = join(dirname(configFile), 'pipeline.seed.yaml');
  await writeFile(seedConfigFile, 'seeds:\n  plain:\n    caches: [plain_cache]\n    levels:\n      to: 2\n');
  const result = await runSeed({ proxyConfigFile: configFile, seedConfigFile, concurrency, retries: 0 });
  return { result, upstream, objects: s3.bucket('mp-tiles') };
}

for (const [concurrency, name] of [
  [2, '-c 2: two requests in flight while the last two meta tiles are stored, never more'],
  [1, '-c 1: the next request in flight while the last meta tile is stored, never two at once'],
] as const) {
  test(name, { timeout: 60_000 }, async (t) => {
    const { result, upstream, objects } = await seedWithHeldWrites(t, concurrency, concurrency > 1);
    assert.equal(result.failureCount, 0);
    assert.equal(upstream.requests.length, META_TILES);
    assert.equal(upstream.maxInFlight, concurrency);
    assert.equal(objects.size, TILES);
  });
}

test('-c 2: once the run is stopped, meta tiles waiting for the upstream send no request', async (t) => {
  const s3 = await startS3Server(t, ['mp-tiles']);
  const stop = new AbortController();
  const upstream: Upstream = await startUpstream(t, {
    '/service': async (request) => {
      // both slots taken: stop the run, then answer (more meta tiles wait for a slot meanwhile)
      if (upstream.requests.length === 2) stop.abort();
      if (!stop.signal.aborted)
        await new Promise((resolve) => { stop.signal.addEventListener('abort', resolve); });
      return solidPng(
        [200, 30, 40],
        [Number(request.query.get('width')), Number(request.query.get('height'))],
      );
    },
  });
  const configFile = await copyFixture(t, 's3-cache/mapproxy.yaml', {
    S3_URL: s3.url,
    UPSTREAM_URL: upstream.url,
  });
  const seedConfigFile = join(dirname(configFile), 'pipeline.seed.yaml');
  await writeFile(seedConfigFile, 'seeds:\n  plain:\n    caches: [plain_cache]\n    levels:\n      to: 2\n');
  const result = await runSeed({
    proxyConfigFile: configFile,
    seedConfigFile,
    concurrency: 2,
    retries: 0,
    signal: stop.signal,
  });
  assert.equal(result.status, 'interrupted');
  assert.equal(upstream.requests.length, 2);
  assert.equal(result.failureCount, 0);
});
