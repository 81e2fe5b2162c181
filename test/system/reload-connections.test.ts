/**
 * Reloads release what the replaced configuration held open: serve-develop reloading a
 * configuration with an MBTiles cache, SQLite level files and an S3 cache five times, each time
 * serving a tile from every cache, ends with as many open file descriptors and S3 connections as
 * after the first load. On close, the last configuration's are released too.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { startServer, type RunningServer } from '../../src/core/index.js';
import { copyFixture } from '../helpers/fixtures.js';
import { startRedis } from '../helpers/redis-server.js';
import { startS3Server } from '../helpers/s3-server.js';
import { needs } from '../helpers/system-programs.js';
import { solidPng, startUpstream, type Upstream } from '../helpers/upstream.js';

process.env.AWS_ACCESS_KEY_ID = 'AKIDRELOAD';
process.env.AWS_SECRET_ACCESS_KEY = 'secret';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';

const openFds = (): number => readdirSync('/proc/self/fd').length;

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
