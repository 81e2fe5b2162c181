/**
 * `check` runs serve's whole build and touches nothing: with file, mbtiles, sqlite, geopackage,
 * compact, redis and s3 caches, Redis tile locks and HTTP sources pointed at a connection counter
 * and into an empty directory, it creates no file or directory and opens no connection.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkConfig, startServer } from '../../src/core/index.js';
import { copyFixture, makeTempDir } from '../helpers/fixtures.js';
import { isolateAwsSdk } from '../helpers/s3-server.js';
import { solidPng } from '../helpers/upstream.js';

isolateAwsSdk();

/**
 * A TCP server that counts connections: a WMS GetMap gets a PNG (so serving can store a tile),
 * anything else (Redis, S3, tile requests) is dropped at once and fails fast.
 */
async function connectionCounter(t: {
  after(fn: () => unknown): void;
}): Promise<{ port: number; count(): number }> {
  let connections = 0;
  const png = await solidPng([10, 20, 30, 255], [256, 256]);
  const server = createServer((socket) => {
    connections += 1;
    socket.once('data', (chunk: Buffer) => {
      if (!chunk.toString('latin1').startsWith('GET /service?')) {
        socket.destroy();
        return;
      }
      const head = `HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: ${String(png.length)}\r\nconnection: close\r\n\r\n`;
      socket.end(Buffer.concat([Buffer.from(head, 'latin1'), png]));
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  );
  return { port: (server.address() as AddressInfo).port, count: () => connections };
}

test('check builds every cache type, lock and source without creating a file or opening a socket', async (t) => {
  const counter = await connectionCounter(t);
  const data = join(await makeTempDir(t), 'data');
  await mkdir(data);
  const configFile = await copyFixture(t, 'check-touches-nothing/mapproxy.yaml', {
    DATA: data,
    PORT: String(counter.port),
  });

  const checked = await checkConfig({ configFile });
  assert.deepEqual(
    checked.errors.map((e) => e.format()),
    [],
  );
  assert.equal(checked.ok, true);
  assert.equal(checked.summary?.caches, 8);
  // anything started lazily by the build (a Redis connect, a SQLite open) would happen by now
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(counter.count(), 0, 'check opened a connection');
  assert.deepEqual(await readdir(data, { recursive: true }), [], 'check created files');

  // the control: serving the same configuration does reach both (so the counts above can fail)
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  for (const layer of ['files', 'redis', 's3']) {
    const res = await fetch(`${server.url}/wmts/${layer}/GLOBAL_WEBMERCATOR/0/0/0.png`);
    await res.arrayBuffer();
  }
  assert.ok(counter.count() > 0, 'serving made no connection');
  assert.ok((await readdir(data, { recursive: true })).length > 0, 'serving created no file');
});
