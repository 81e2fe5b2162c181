/**
 * `concurrent_requests` holds across the workers of `mapproxy-util serve -w 2`: they share slot
 * files in `globals.cache.lock_dir` (MapProxy's SemLock), so the upstream never sees more.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { watch } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { copyFixture } from '../helpers/fixtures.js';
import { startServe } from '../helpers/front-proxy.js';
import { deferred, solidPng, startUpstream } from '../helpers/upstream.js';

/** Tiles requested at once, each its own meta tile and so its own upstream request. */
const TILES = 8;

/** Lock and slot files in `dir`, without their holders' owner records (`<lock>.owner`). */
async function lockEntries(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((entry) => !entry.endsWith('.owner'));
}

/** Resolves with the locks in `dir` once there are `n` (file system events, no polling). */
function waitForEntries(dir: string, n: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const watcher = watch(dir);
    const check = (): void => {
      lockEntries(dir).then(
        (entries) => {
          if (entries.length < n) return;
          watcher.close();
          resolve(entries);
        },
        (error: unknown) => {
          watcher.close();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    };
    watcher.on('change', check);
    watcher.on('error', reject);
    check();
  });
}

/**
 * Serves the fixture with 2 workers and requests TILES uncached tiles at once while the upstream
 * holds every request. Once all tile creations wait, asserts `limit` requests at the upstream and
 * `limit` slot files, then lets the upstream answer.
 */
async function assertLimitAcrossWorkers(
  t: TestContext,
  limit: number,
  edit: (yaml: string) => string,
): Promise<void> {
  const hold = deferred();
  const png = await solidPng([200, 10, 10, 255]);
  // a route, not an expectation: an unmet one would fail the upstream's cleanup before the
  // workers are stopped; the request count is asserted below
  const upstream = await startUpstream(t, {
    '/wms': async () => {
      await hold.promise;
      return png;
    },
  });
  t.after(() => {
    hold.resolve(); // a failed assertion must not leave the workers waiting for the upstream
  });
  const configFile = await copyFixture(t, 'deploy/concurrent-requests.yaml', { UPSTREAM_URL: upstream.url });
  await writeFile(configFile, edit(await readFile(configFile, 'utf8')));
  const dir = dirname(configFile);
  await mkdir(join(dir, 'tile_locks'));
  const serve = await startServe(t, [configFile, '-w', '2']);

  // separate connections, which the cluster primary hands to both workers in turn
  const answers = Promise.all(
    Array.from({ length: TILES }, (_, x) => fetch(`${serve.url}/wmts/wms/GLOBAL_WEBMERCATOR/3/${x}/0.png`)),
  );
  await upstream.waitForRequests(limit);
  // every tile creation holds its tile lock: all of them are waiting for a slot or the upstream
  await waitForEntries(join(dir, 'tile_locks'), TILES);
  assert.equal(upstream.inFlight, limit, 'requests at the upstream while all tile creations wait');
  const host = new URL(upstream.url).host;
  const md5 = createHash('md5').update(host).digest('hex');
  const slots = Array.from({ length: limit }, (_, i) => `${md5}.lck${i}`);
  assert.deepEqual((await lockEntries(join(dir, 'request_locks'))).sort(), slots);

  hold.resolve();
  for (const res of await answers) {
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200, body.toString('latin1').slice(0, 300));
  }
  assert.equal(upstream.requests.length, TILES);
  assert.equal(upstream.maxInFlight, limit);
  assert.deepEqual(await readdir(join(dir, 'request_locks')), [], 'slot files removed after the requests');
}

test('serve -w 2 with a source concurrent_requests: 1: never more than one request at the upstream', async (t) => {
  // the source's own value wins over globals.http.concurrent_requests (MapProxy get_value)
  await assertLimitAcrossWorkers(t, 1, (yaml) =>
    yaml
      .replace('${LIMIT}', '4')
      .replace('      layers: base', '      layers: base\n    concurrent_requests: 1'),
  );
});

test('serve -w 2 with globals.http.concurrent_requests: 2: two requests at the upstream at once', async (t) => {
  await assertLimitAcrossWorkers(t, 2, (yaml) => yaml.replace('${LIMIT}', '2'));
});
