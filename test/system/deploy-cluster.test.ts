/**
 * `mapproxy-util serve -w 2` as a process: a killed worker is replaced and costs at most the
 * requests it held; SIGHUP replaces every worker under a bounded load loop without a failed request;
 * the workers share tile locks kept apart from the tiles (`tile_lock_dir`) and start with the malloc
 * tunables serve sets for them.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { copyFixture } from '../helpers/fixtures.js';
import { startServe } from '../helpers/front-proxy.js';
import { childPids } from '../helpers/processes.js';
import { deferred, solidPng, startUpstream } from '../helpers/upstream.js';

const CONCURRENCY = 4;

/** Worker pids the primary announced as started in `output`, in order. */
function startedPids(output: string): number[] {
  return [...output.matchAll(/worker (\d+) started/g)].map((m) => Number(m[1]));
}

/** Runs CONCURRENCY request loops against `url` until `until` settles, then `after` more rounds. */
async function loadLoop(
  url: string,
  until: Promise<unknown>,
  after = 5,
): Promise<{ ok: number; failed: string[] }> {
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
          result.failed.push(
            error instanceof Error ? `${error.message} ${String(error.cause)}` : String(error),
          );
        }
      }
    }),
  );
  return result;
}

/**
 * One `serve -w 2` for the tests that kill, reload and replace its workers: each begins with the two
 * workers the one before left (read from /proc) and reads only what the primary printed since it
 * began, so none needs a cluster of its own (a cluster start is three processes).
 */
test('serve -w 2 on deploy/mapproxy.yaml: killed workers, reloads and failed starts', async (t) => {
  const configFile = await copyFixture(t, 'deploy/mapproxy.yaml');
  const good = await readFile(configFile, 'utf8');
  const serve = await startServe(t, [configFile, '-w', '2']);
  const primary = serve.child.pid ?? 0;
  assert.equal(startedPids(serve.output()).length, 2, serve.output());
  /** The two live workers and the output offset at the start of a subtest. */
  const begin = async (): Promise<{ workers: number[]; mark: number }> => {
    const workers = await childPids(primary);
    assert.equal(workers.length, 2, serve.output());
    return { workers, mark: serve.output().length };
  };

  await t.test(
    'workers start with a fixed malloc mmap threshold (and one arena on a core each); the primary keeps its environment',
    async (t) => {
      if (
        process.env.MALLOC_MMAP_THRESHOLD_ !== undefined ||
        process.env.GLIBC_TUNABLES?.includes('mmap_threshold=')
      ) {
        t.skip('the test process sets the mmap threshold, which serve leaves to the user');
        return;
      }
      const { workers } = await begin();
      // glibc (before 2.38) ends each tunable it applies with a NUL in the environment block itself,
      // so /proc shows `GLIBC_TUNABLES=a=1`, `b=2` as entries of their own: they are joined back
      const tunables = async (pid: number): Promise<string | undefined> => {
        const entries = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
        const at = entries.findIndex((entry) => entry.startsWith('GLIBC_TUNABLES='));
        if (at === -1) return undefined;
        const parts = [entries[at]?.slice('GLIBC_TUNABLES='.length) ?? ''];
        for (const entry of entries.slice(at + 1)) {
          if (!entry.startsWith('glibc.')) break;
          parts.push(entry);
        }
        return parts.join(':');
      };
      const own = process.env.GLIBC_TUNABLES;
      // one malloc arena when each of the 2 workers has at most one core (worker-flags.ts)
      const oneArena =
        Math.floor(availableParallelism() / 2) <= 1 && process.env.MALLOC_ARENA_MAX === undefined;
      const expected = [
        ...(own === undefined || own === '' ? [] : [own]),
        'glibc.malloc.mmap_threshold=524288',
        ...(oneArena && own?.includes('arena_max=') !== true ? ['glibc.malloc.arena_max=1'] : []),
      ];
      for (const pid of workers) assert.equal(await tunables(pid), expected.join(':'), `worker ${pid}`);
      assert.equal(await tunables(primary), own, 'the primary');
    },
  );

  await t.test('a killed worker is replaced and costs at most the requests it held', async (t) => {
    const { workers, mark } = await begin();
    const [victim] = workers;
    assert.ok(victim !== undefined);
    const replaced = serve.waitFor(
      new RegExp(`worker ${victim} died \\(SIGKILL\\), starting a new one[\\s\\S]*worker \\d+ started`),
      mark,
    );
    const load = loadLoop(`${serve.url}/tms/1.0.0/`, replaced, 20);
    process.kill(victim, 'SIGKILL');
    const { ok, failed } = await load;
    t.diagnostic(`${ok} requests answered, ${failed.length} failed while a worker was killed`);
    assert.ok(
      failed.length <= CONCURRENCY,
      `at most the ${CONCURRENCY} requests in flight fail: ${failed.join('; ')}`,
    );
    assert.equal(startedPids(serve.output(mark)).length, 1, 'one replacement worker');
    // after the replacement every request is answered
    const after = await Promise.all(Array.from({ length: 8 }, () => fetch(`${serve.url}/tms/1.0.0/`)));
    assert.deepEqual(
      after.map((r) => r.status),
      Array(8).fill(200),
    );
  });

  await t.test('SIGHUP replaces both workers one by one under load without a failed request', async (t) => {
    const { workers, mark } = await begin();
    const finished = serve.waitFor(/reload finished/, mark);
    const load = loadLoop(`${serve.url}/tms/1.0.0/debug/EPSG3857/1/0/0.png`, finished);
    serve.child.kill('SIGHUP');
    const { ok, failed } = await load;
    t.diagnostic(`${ok} requests answered during the reload`);
    assert.deepEqual(failed, []);
    assert.ok(ok > CONCURRENCY * 5, `the loop ran during the reload (${ok} requests)`);
    assert.equal(startedPids(serve.output(mark)).length, 2, 'two new workers');
    for (const old of workers) assert.match(serve.output(mark), new RegExp(`worker ${old} draining`));
  });

  await t.test(
    'SIGHUP with a broken configuration keeps the old workers and says so once; a fixed one replaces them',
    async (t) => {
      const { workers: before, mark } = await begin();
      await writeFile(configFile, good.replace('sources: [debug_cache]', 'sources: [nowhere]'));
      serve.child.kill('SIGHUP');
      // the failed reload answers with one line; a restarted worker would announce itself first
      const output = await serve.waitFor(/reload failed|starting a new one/, mark);
      assert.doesNotMatch(output, /starting a new one/);
      const failures = output.match(/reload failed.*/g) ?? [];
      assert.equal(failures.length, 1, output);
      t.diagnostic(failures.join(''));
      assert.match(
        failures.join(''),
        /reload failed: .*mapproxy\.yaml:\d+:\d+ .*nowhere.*; keeping 2 workers$/,
      );
      assert.deepEqual(await childPids(primary), before, 'exactly the old workers');
      const answers = await Promise.all(Array.from({ length: 8 }, () => fetch(`${serve.url}/tms/1.0.0/`)));
      assert.deepEqual(
        answers.map((r) => r.status),
        Array(8).fill(200),
      );

      await writeFile(configFile, good);
      const finished = serve.waitFor(/reload finished/, mark);
      serve.child.kill('SIGHUP');
      await finished;
      const after = await childPids(primary);
      assert.equal(after.length, 2, `two workers after the fixed reload: ${after.join(', ')}`);
      for (const pid of after) assert.ok(!before.includes(pid), `worker ${pid} is new`);
      assert.equal((serve.output(mark).match(/reload failed/g) ?? []).length, 1, 'no retry in between');
    },
  );

  await t.test(
    'a replacement worker that cannot start is retried with a growing delay, not in a tight loop',
    async () => {
      // two workers: the survivor keeps the shared socket (with port 0 a new one would get a new port)
      const { workers, mark } = await begin();
      const [victim, survivor] = workers;
      assert.ok(victim !== undefined && survivor !== undefined);

      await writeFile(configFile, good.replace('sources: [debug_cache]', 'sources: [nowhere]'));
      process.kill(victim, 'SIGKILL');
      // a tight loop announces three replacements before the second delayed retry
      const output = await serve.waitFor(/(could not start[\s\S]*){2}|(starting a new one[\s\S]*){3}/, mark);
      const retries = output.match(/worker could not start: .*/g) ?? [];
      const delays = retries.map((line) => Number(/retrying in (\d+) s$/.exec(line)?.[1]));
      assert.equal(delays.length, 2, output);
      assert.ok(
        (delays[0] ?? 0) >= 1 && delays[1] === 2 * (delays[0] ?? 0),
        `the delay doubles: ${delays.join(', ')}`,
      );
      assert.match(retries[0] ?? '', /mapproxy\.yaml:\d+:\d+ .*"nowhere"/);

      await writeFile(configFile, good);
      const replaced = await serve.waitFor(/(could not start[\s\S]*){2}worker \d+ started/, mark);
      const [replacement] = startedPids(serve.output(mark));
      assert.ok(replacement !== undefined, replaced);
      assert.deepEqual(
        await childPids(primary),
        [survivor, replacement].sort((a, b) => a - b),
      );
      const res = await fetch(`${serve.url}/tms/1.0.0/`);
      assert.equal(res.status, 200);
    },
  );
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
  await writeFile(
    configFile,
    config.replace("base_dir: './cache_data'", "base_dir: './shared'\n    tile_lock_dir: './local_locks'"),
  );
  const serve = await startServe(t, [configFile, '-w', '2']);

  // enough parallel connections that both workers get some; all wait for the one upstream request
  const answers = Promise.all(
    Array.from({ length: 8 }, () => fetch(`${serve.url}/wmts/osm/GLOBAL_WEBMERCATOR/2/1/1.png`)),
  );
  await upstream.waitForRequests(1);
  // the lock and its holder's owner record (taken over at once should the holder die)
  const locks = (await readdir(join(dir, 'local_locks'))).filter((entry) => !entry.endsWith('.owner'));
  assert.equal(locks.length, 1, `one meta tile lock: ${locks.join(', ')}`);
  assert.match(locks[0] ?? '', /^[0-9a-f]{32}-1-1-2\.lck$/);
  release.resolve();
  for (const res of await answers) assert.equal(res.status, 200);
  assert.equal(upstream.requests.length, 1);
  assert.deepEqual(
    await readdir(join(dir, 'shared')),
    ['osm_cache_EPSG3857'],
    'no tile_locks below base_dir',
  );
});
