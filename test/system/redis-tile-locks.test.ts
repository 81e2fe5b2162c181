/**
 * `globals.cache.tile_lock_backend: redis` across real server processes: two `serve-develop`
 * processes with their own tile_lock_dir share one cache directory and one redis-server.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { CLI_ARGV } from '../helpers/cli.js';
import { copyFixture, makeTempDir } from '../helpers/fixtures.js';
import { startRedis } from '../helpers/redis-server.js';
import { needs } from '../helpers/system-programs.js';
import { deferred, pixelAt, solidPng, startUpstream, type UpstreamRequest } from '../helpers/upstream.js';
import { atTestEnd } from '../helpers/test-end.js';

const isGetMap = (request: UpstreamRequest): boolean =>
  request.pathname === '/service' && request.query.get('request') === 'GetMap';

const wmsImage = (rgba: readonly [number, number, number, number]) => async (request: UpstreamRequest) =>
  solidPng(rgba, [Number(request.query.get('width')), Number(request.query.get('height'))]);

interface ServerProcess {
  readonly url: string;
  /** Resolves once the process's output matched `pattern` (now or later). */
  waitForOutput(pattern: RegExp): Promise<RegExpMatchArray>;
  kill(): Promise<void>;
}

/** `serve-develop --debug` of its own copy of the fixture, in a child process, on a free port. */
async function serverProcess(t: TestContext, vars: Readonly<Record<string, string>>): Promise<ServerProcess> {
  const configFile = await copyFixture(t, 'system/redis-tile-locks.yaml', vars);
  const child = spawn(
    process.execPath,
    [...CLI_ARGV, 'serve-develop', configFile, '-b', '127.0.0.1:0', '--debug'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  atTestEnd(t, kill);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const waitForOutput = (pattern: RegExp): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(output);
        if (match) resolve(match);
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.once('exit', (code) => {
        reject(new Error(`server exited with ${String(code)}:\n${output}`));
      });
      check();
    });
  const [, url] = await waitForOutput(/Running on (http:\/\/\S+?)\/ /);
  return { url: url ?? '', waitForOutput, kill };
}

async function twoServers(
  t: TestContext,
  upstreamUrl: string,
  leaseSeconds: string,
): Promise<ServerProcess[]> {
  const redis = await startRedis(t);
  const cacheDir = join(await makeTempDir(t), 'shared_cache');
  const vars = {
    UPSTREAM_URL: upstreamUrl,
    REDIS_PORT: String(redis.port),
    CACHE_DIR: cacheDir,
    LEASE_SECONDS: leaseSeconds,
  };
  return Promise.all([serverProcess(t, vars), serverProcess(t, vars)]);
}

/** The 16 tiles of the top-left meta tile of level 3, each asked from both servers. */
function metaTileUrls(servers: readonly ServerProcess[]): string[] {
  return Array.from({ length: 32 }, (_, i) => {
    const server = servers[i % 2] as ServerProcess;
    const tile = Math.floor(i / 2);
    return `${server.url}/wmts/osm/GLOBAL_WEBMERCATOR/3/${String(tile % 4)}/${String(Math.floor(tile / 4))}.png`;
  });
}

test(
  'two servers with their own lock dirs make one upstream request for 32 requests in one meta tile',
  { skip: needs('redis-server') },
  async (t) => {
    const upstream = await startUpstream(t);
    const release = deferred();
    upstream.expect(isGetMap, async (request) => {
      await release.promise;
      return wmsImage([20, 120, 40, 255])(request);
    });
    const servers = await twoServers(t, upstream.url, '10');
    const responses = Promise.all(metaTileUrls(servers).map((url) => fetch(url)));
    // one server holds the lease and asks the upstream; the other waits for the lease
    await upstream.waitForRequests(1);
    const waits = servers.map((s) => s.waitForOutput(/waiting for tile lock mapproxy-ts-tile-lock:/));
    for (const wait of waits) wait.catch(() => undefined); // the holder never waits; it exits at the end
    await Promise.race(waits);
    release.resolve();
    for (const res of await responses) {
      assert.equal(res.status, 200);
      assert.deepEqual(await pixelAt(Buffer.from(await res.arrayBuffer()), 10, 10), [20, 120, 40, 255]);
    }
    assert.equal(upstream.requests.length, 1);
  },
);

test(
  'killing the lease holder mid-creation lets the other server take over once the lease expires',
  { skip: needs('redis-server') },
  async (t) => {
    const upstream = await startUpstream(t);
    const never = deferred();
    t.after(() => {
      never.resolve();
    });
    // the first request is never answered (its process dies); the second gets the tile
    upstream.expect(isGetMap, async (request) => {
      await never.promise;
      return wmsImage([0, 0, 0, 255])(request);
    });
    upstream.expect(isGetMap, wmsImage([200, 30, 90, 255]));
    const [holder, taker] = (await twoServers(t, upstream.url, '1')) as [ServerProcess, ServerProcess];
    const tile = '/wmts/osm/GLOBAL_WEBMERCATOR/3/1/2.png';
    void fetch(`${holder.url}${tile}`).catch(() => undefined);
    await upstream.waitForRequests(1); // the holder has the lease and waits for the upstream
    const fromTaker = fetch(`${taker.url}${tile}`);
    // the taker waits for the lease; on a machine so loaded that the holder missed its renewals
    // (every third of the 1 s lease), the lease is gone already and the taker asks at once
    const waiting = taker.waitForOutput(/waiting for tile lock/);
    waiting.catch(() => undefined); // it rejects when the taker exits at the end
    await Promise.race([waiting, upstream.waitForRequests(2)]);
    await holder.kill();
    const res = await fromTaker;
    assert.equal(res.status, 200);
    assert.deepEqual(await pixelAt(Buffer.from(await res.arrayBuffer()), 10, 10), [200, 30, 90, 255]);
    assert.equal(upstream.requests.length, 2);
  },
);
