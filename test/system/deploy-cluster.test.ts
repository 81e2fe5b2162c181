/**
 * `mapproxy-util serve -w 2` as a process: a killed worker is replaced and costs at most the
 * requests it held; SIGHUP replaces every worker under a bounded load loop without a failed request;
 * the workers share tile locks kept apart from the tiles (`tile_lock_dir`).
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { copyFixture } from '../helpers/fixtures.js';
import { startServe, type ServeProcess } from '../helpers/front-proxy.js';
import { deferred, solidPng, startUpstream } from '../helpers/upstream.js';

const CONCURRENCY = 4;

/** Worker pids the primary announced as started, in order. */
function startedPids(serve: ServeProcess): number[] {
  return [...serve.output().matchAll(/worker (\d+) started/g)].map((m) => Number(m[1]));
}

/** Runs CONCURRENCY request loops against `url` until `until` settles, then `after` more rounds. */
async function loadLoop(url: string, until: Promise<unknown>, after = 5): Promise<{ ok: number; failed: string[] }> {
  let done = false;
  void until.finally(() => (done = true));
  const result = { ok: 0, failed: [] as string[] };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      let extra = 0;
      while (!done || extra++ < after) {
        try {
          // a connection handed to a worker at the moment it is killed never gets an answer
          const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
          await res.arrayBuffer();
          if (res.status === 200) result.ok++;
          else result.failed.push(`status ${res.status}`);
        } catch (error) {
          result.failed.push(error instanceof Error ? `${error.message} ${String(error.cause)}` : String(error));
        }
      }
    }),
  );
  return result;
}

test('serve -w 2 replaces a killed worker and loses at most the requests it held', async (t) => {
  const configFile = await copyFixture(t, 'deploy/mapproxy.yaml');
  const serve = await startServe(t, [configFile, '-w', '2']);
  const [victim] = startedPids(serve);
  assert.ok(victim !== undefined && startedPids(serve).length === 2, serve.output());

  const replaced = serve.waitFor(new RegExp(`worker ${victim} died \\(SIGKILL\\), starting a new one[\\s\\S]*worker \\d+ started`));
  const load = loadLoop(`${serve.url}/tms/1.0.0/`, replaced.then(() => serve.waitFor(/worker \d+ started[\s\S]*$/)), 20);
  process.kill(victim, 'SIGKILL');
  const { ok, failed } = await load;
  t.diagnostic(`${ok} requests answered, ${failed.length} failed while a worker was killed`);
  assert.ok(failed.length <= CONCURRENCY, `at most the ${CONCURRENCY} requests in flight fail: ${failed.join('; ')}`);
  assert.equal(startedPids(serve).length, 3, 'one replacement worker');
  // after the replacement every request is answered
  const after = await Promise.all(Array.from({ length: 8 }, () => fetch(`${serve.url}/tms/1.0.0/`)));
  assert.deepEqual(after.map((r) => r.status), Array(8).fill(200));
});

test('SIGHUP replaces both workers one by one under load without a failed request', async (t) => {
  const configFile = await copyFixture(t, 'deploy/mapproxy.yaml');
  const serve = await startServe(t, [configFile, '-w', '2']);
  const before = startedPids(serve);
  assert.equal(before.length, 2);

  const finished = serve.waitFor(/reload finished/);
  const load = loadLoop(`${serve.url}/tms/1.0.0/debug/EPSG3857/1/0/0.png`, finished);
  serve.child.kill('SIGHUP');
  const { ok, failed } = await load;
  t.diagnostic(`${ok} requests answered during the reload`);
  assert.deepEqual(failed, []);
  assert.ok(ok > CONCURRENCY * 5, `the loop ran during the reload (${ok} requests)`);
  const pids = startedPids(serve);
  assert.equal(pids.length, 4, 'two new workers');
  for (const old of before) assert.match(serve.output(), new RegExp(`worker ${old} draining`));
});

test('serve -w 2 with tile_lock_dir: workers lock in that directory, tiles go to base_dir, one upstream request', async (t) => {
  const upstream = await startUpstream(t);
  const release = deferred();
  const png = await solidPng([10, 200, 10, 255]);
  upstream.expect('/tiles/2/1/1.png', async () => {
    await release.promise;
    return png;
  });
  const configFile = await copyFixture(t, 'deploy/tile-source.yaml', { UPSTREAM_URL: upstream.url });
  const dir = dirname(configFile);
  const config = await readFile(configFile, 'utf8');
  await writeFile(configFile, config.replace("base_dir: './cache_data'", "base_dir: './shared'\n    tile_lock_dir: './local_locks'"));
  const serve = await startServe(t, [configFile, '-w', '2']);

  // enough parallel connections that both workers get some; all wait for the one upstream request
  const answers = Promise.all(
    Array.from({ length: 8 }, () => fetch(`${serve.url}/wmts/osm/GLOBAL_WEBMERCATOR/2/1/1.png`)),
  );
  await upstream.waitForRequests(1);
  const locks = await readdir(join(dir, 'local_locks'));
  assert.equal(locks.length, 1, `one meta tile lock: ${locks.join(', ')}`);
  assert.match(locks[0] ?? '', /^[0-9a-f]{32}-1-1-2\.lck$/);
  release.resolve();
  for (const res of await answers) assert.equal(res.status, 200);
  assert.equal(upstream.requests.length, 1);
  assert.deepEqual(await readdir(join(dir, 'shared')), ['osm_cache_EPSG3857'], 'no tile_locks below base_dir');
});
