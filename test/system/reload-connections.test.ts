/**
 * Reloads release what the replaced configuration held open: serve-develop reloading a
 * configuration with an MBTiles cache, SQLite level files and an S3 cache five times, each time
 * serving a tile from every cache, ends with as many open file descriptors and S3 connections as
 * after the first load. On close, the last configuration's are released too. Requests still running
 * on a replaced configuration end first, and then its files are closed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { appendFile, readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startServer, type RunningServer } from '../../src/core/index.js';
import { copyFixture } from '../helpers/fixtures.js';
import { startRedis } from '../helpers/redis-server.js';
import { startS3Server } from '../helpers/s3-server.js';
import { needs } from '../helpers/system-programs.js';
import { deferred, solidPng, startUpstream, type Upstream } from '../helpers/upstream.js';

process.env.AWS_ACCESS_KEY_ID = 'AKIDRELOAD';
process.env.AWS_SECRET_ACCESS_KEY = 'secret';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';

const openFds = (): number => readdirSync('/proc/self/fd').length;

/** The files below `dir` this process has open. */
function openFilesBelow(dir: string): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith(dir) ? [target.slice(dir.length + 1)] : [];
    } catch {
      return []; // closed meanwhile (readdir's own descriptor)
    }
  });
}

/** A WMS answering every GetMap with a solid image of the requested size. */
function startWms(t: TestContext): Promise<Upstream> {
  return startUpstream(t, {
    '/service': (request) =>
      solidPng([9, 99, 199], [Number(request.query.get('width')), Number(request.query.get('height'))]),
  });
}

/** Edits the configuration `times` times, awaiting each reload and calling `use` after it. */
async function reloadTimes(
  server: RunningServer,
  configFile: string,
  times: number,
  use: () => Promise<void>,
): Promise<void> {
  for (let i = 1; i <= times; i++) {
    const reloaded = new Promise<boolean>((resolve) => {
      const off = server.onReload((outcome) => {
        off();
        resolve(outcome.ok);
      });
    });
    await appendFile(configFile, `# edit ${String(i)}\n`);
    assert.equal(await reloaded, true, `reload ${String(i)}`);
    await use();
  }
}

async function startReloading(t: TestContext, configFile: string): Promise<RunningServer> {
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
    reload: true,
  });
  t.after(() => server.close());
  return server;
}

async function getTiles(server: RunningServer, layers: readonly string[]): Promise<void> {
  for (const layer of layers) {
    const res = await fetch(`${server.url}/wmts/${layer}/GLOBAL_WEBMERCATOR/1/0/0.png`, {
      headers: { connection: 'close' },
    });
    assert.equal(res.status, 200, `${layer}: ${await res.clone().text()}`);
    await res.arrayBuffer();
  }
}

test('five reloads leave no SQLite files or S3 connections of the old configurations open', async (t) => {
  const s3 = await startS3Server(t, ['tiles']);
  const upstream = await startWms(t);
  const configFile = await copyFixture(t, 'reload/mapproxy.yaml', {
    S3_URL: s3.url,
    UPSTREAM_URL: upstream.url,
  });
  const server = await startReloading(t, configFile);
  const useEveryCache = (): Promise<void> => getTiles(server, ['mb', 'sq', 's3c']);
  await useEveryCache();
  const baseline = { fds: openFds(), s3: s3.openConnections() };
  assert.ok(baseline.s3 >= 1, 'the S3 client keeps its connection open between requests');

  await reloadTimes(server, configFile, 5, useEveryCache);
  const after = { fds: openFds(), s3: s3.openConnections() };
  assert.ok(after.fds <= baseline.fds + 1, `open fds ${String(baseline.fds)} -> ${String(after.fds)}`);
  assert.ok(after.s3 <= baseline.s3, `S3 connections ${String(baseline.s3)} -> ${String(after.s3)}`);
});

test(
  'five reloads leave no Redis connections of the old configurations open',
  { skip: needs('redis-server') },
  async (t) => {
    const redis = await startRedis(t);
    const upstream = await startWms(t);
    const configFile = await copyFixture(t, 'reload/redis.yaml', {
      REDIS_PORT: String(redis.port),
      UPSTREAM_URL: upstream.url,
    });
    const clients = async (): Promise<number> => {
      // INFO counts the asking connection too
      const info = await redis.command('INFO clients');
      return Number(/connected_clients:(\d+)/.exec(info)?.[1] ?? NaN) - 1;
    };
    const server = await startReloading(t, configFile);
    const use = (): Promise<void> => getTiles(server, ['red']);
    await use();
    const baseline = await clients();
    assert.ok(baseline >= 1, `connected clients ${String(baseline)}`);
    await reloadTimes(server, configFile, 5, use);
    const after = await clients();
    assert.ok(after <= baseline, `connected clients ${String(baseline)} -> ${String(after)}`);
    await server.close();
    assert.equal(await clients(), 0, "closing the server closes the last configuration's connections");
  },
);

test('requests that outlive a reload store their tiles, and then no SQLite file of the replaced configuration is open', async (t) => {
  const answer = deferred();
  const arrived = deferred();
  let requests = 0;
  const upstream = await startUpstream(t, {
    '/service': async (request) => {
      if (++requests === 2) arrived.resolve();
      await answer.promise;
      return solidPng(
        [9, 99, 199],
        [Number(request.query.get('width')), Number(request.query.get('height'))],
      );
    },
  });
  const configFile = await copyFixture(t, 'reload/mapproxy.yaml', {
    S3_URL: 'http://127.0.0.1:9',
    UPSTREAM_URL: upstream.url,
  });
  const dir = dirname(configFile);
  const server = await startReloading(t, configFile);

  // 1. a miss of the MBTiles cache and one of the level files wait at the upstream
  const misses = ['mb', 'sq'].map((layer) =>
    fetch(`${server.url}/wmts/${layer}/GLOBAL_WEBMERCATOR/1/0/0.png`, { headers: { connection: 'close' } }),
  );
  await arrived.promise;
  // 2. the configuration is replaced meanwhile; 3. then they store their tiles and end
  await reloadTimes(server, configFile, 1, () => Promise.resolve());
  answer.resolve();
  for (const res of await Promise.all(misses)) {
    assert.equal(res.status, 200, await res.clone().text());
    await res.arrayBuffer();
  }
  assert.deepEqual(await cacheTiles(join(dir, 'cache_data')), [
    'mb.mbtiles',
    'sq/GLOBAL_WEBMERCATOR/1.mbtile',
  ]);
  // the replaced configuration's files were closed after its last request (before, the requests
  // opened them again after the reload had closed them, and nothing closed them any more); the
  // new one has not used them yet
  assert.deepEqual(openFilesBelow(dir), []);
});

/** The SQLite files below `dir` (no -wal or -shm), sorted. */
async function cacheTiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.mbtiles?$/.test(e.name))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}
