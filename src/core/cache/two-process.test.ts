/**
 * Cross-process locking for real: a child node process and this process create tiles of one meta
 * tile in the same cache directory at the same time; the upstream must see exactly one request.
 * And a holder killed with SIGKILL: two processes waiting for its lock make one request between them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { test, type TestContext } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { deferred } from '../../../test/helpers/upstream.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** A module of src/ in the form this file runs as: .ts under tsx, .js as `npm test` compiles it. */
const moduleUrl = (path: string): string =>
  pathToFileURL(join(REPO_ROOT, `${path}${extname(fileURLToPath(import.meta.url))}`)).href;

/**
 * The program both processes run: one TileManager on `cacheDir`/`lockDir` whose source fetches
 * from the upstream. It prints `missed` after its initial cache lookup and `done <bytes>` at the end.
 */
const CREATOR = `
import { FileCache, TileLocker, TileManager } from '${moduleUrl('src/core/cache/index')}';
import { createTileGrid, GLOBAL_WEBMERCATOR } from '${moduleUrl('src/core/grid/index')}';
import { imageFromRaw } from '${moduleUrl('src/core/image/index')}';

export async function createTile(cacheDir, lockDir, upstreamUrl, coord, print) {
  class AnnouncingCache extends FileCache {
    loads = 0;
    async loadTiles(coords, options) {
      const result = await super.loadTiles(coords, options);
      if (this.loads++ === 0) print('missed');
      return result;
    }
  }
  const cache = new AnnouncingCache({ directory: cacheDir, extension: 'png' });
  const source = {
    name: 'up',
    isTransparent: false,
    tileGrid: null,
    async getMap(query) {
      const res = await fetch(upstreamUrl + '/map?size=' + query.size.join('x'));
      await res.arrayBuffer();
      const data = Buffer.alloc(query.size[0] * query.size[1] * 4, 255);
      return imageFromRaw({ data, size: query.size });
    },
  };
  const manager = new TileManager({
    grid: createTileGrid(GLOBAL_WEBMERCATOR),
    cache,
    sources: [{ source }],
    imageOptions: { format: 'image/png', mode: 'RGBA', colors: 0, transparent: true, resampling: 'bicubic', jpegQuality: 90, quantizer: null },
    locker: new TileLocker({ lockDir, lockCacheId: cache.lockCacheId, timeoutMs: 30000 }),
  });
  const tile = await manager.loadTile(coord);
  print('done ' + (tile ? tile.data.length : 0));
}
`;

const CHILD = (creatorPath: string): string => `
import { createTile } from '${pathToFileURL(creatorPath).href}';
const [cacheDir, lockDir, upstreamUrl] = process.argv.slice(2);
await createTile(cacheDir, lockDir, upstreamUrl, { x: 3, y: 3, z: 3 }, (line) => process.stdout.write(line + '\\n'));
`;

/** A fresh cache directory and lock directory, and the creator program and its child entry written. */
async function creatorFiles(t: TestContext) {
  const dir = await makeTempDir(t);
  const creatorPath = join(dir, 'creator.mjs');
  const childPath = join(dir, 'child.mjs');
  await writeFile(creatorPath, CREATOR);
  await writeFile(childPath, CHILD(creatorPath));
  return { cacheDir: join(dir, 'cache'), lockDir: join(dir, 'cache', 'tile_locks'), creatorPath, childPath };
}

test('two processes on one cache directory make exactly one upstream request for one meta tile', async (t) => {
  const { cacheDir, lockDir, creatorPath, childPath } = await creatorFiles(t);

  // 1. an upstream that holds every answer until both processes have missed the cache
  const release = deferred();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    void release.promise.then(() => res.end('ok'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  );
  const upstreamUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // 2. the child process, running the creator through tsx
  const child = spawn(process.execPath, ['--import', 'tsx', childPath, cacheDir, lockDir, upstreamUrl], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => {
    child.kill();
  });
  const childLines: string[] = [];
  const childMissed = deferred();
  createInterface({ input: child.stdout }).on('line', (line) => {
    childLines.push(line);
    if (line === 'missed') childMissed.resolve();
  });
  const childExit = once(child, 'exit');

  // 3. this process, creating another tile of the same meta tile
  const { createTile } = (await import(pathToFileURL(creatorPath).href)) as {
    createTile: (...args: unknown[]) => Promise<void>;
  };
  const parentMissed = deferred();
  const parentLines: string[] = [];
  const parent = createTile(cacheDir, lockDir, upstreamUrl, { x: 0, y: 0, z: 3 }, (line: string) => {
    parentLines.push(line);
    if (line === 'missed') parentMissed.resolve();
  });

  // 4. both have seen the tile missing: let the one creation proceed
  await Promise.all([childMissed.promise, parentMissed.promise]);
  release.resolve();
  await parent;
  const [code] = (await childExit) as [number | null];

  assert.equal(code, 0);
  assert.match(childLines.at(-1) ?? '', /^done [1-9]\d*$/);
  assert.match(parentLines.at(-1) ?? '', /^done [1-9]\d*$/);
  assert.deepEqual(requests, ['/map?size=1104x1104']);
});

test('two processes waiting for the lock of a killed holder make one upstream request between them', async (t) => {
  const { cacheDir, lockDir, childPath } = await creatorFiles(t);

  // 1. an upstream that never answers the first request (the holder's), and the others once both
  //    waiters have missed the cache (so neither finds the tiles stored before it looks for the lock)
  const requests: string[] = [];
  const holderAsked = deferred();
  const bothMissed = deferred();
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (requests.length === 1) holderAsked.resolve();
    else void bothMissed.promise.then(() => res.end('ok'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  );
  const upstreamUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const spawnCreator = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', childPath, cacheDir, lockDir, upstreamUrl], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.after(() => {
      child.kill('SIGKILL');
    });
    const lines: string[] = [];
    const missed = deferred();
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line === 'missed') missed.resolve();
    });
    return { child, lines, missed, exit: once(child, 'exit') as Promise<[number | null, string | null]> };
  };

  // 2. the holder: killed while it waits for the upstream, its lock left behind; made fresh for
  //    the next hour, so the waiters cannot be let in by the stale rule, only by knowing it died
  const holder = spawnCreator();
  await holderAsked.promise;
  holder.child.kill('SIGKILL');
  await holder.exit;
  const locks = (await readdir(lockDir)).filter((entry) => entry.endsWith('.lck'));
  assert.equal(locks.length, 1, locks.join());
  const hourAhead = new Date(Date.now() + 3_600_000);
  await utimes(join(lockDir, locks[0] ?? ''), hourAhead, hourAhead);

  // 3. two waiters at once: one takes the lock over and creates the meta tile, the other waits for
  //    it and then finds the tiles stored
  const waiters = [spawnCreator(), spawnCreator()];
  void Promise.all(waiters.map((waiter) => waiter.missed.promise)).then(() => {
    bothMissed.resolve();
  });
  for (const waiter of waiters) {
    const [code] = await waiter.exit;
    assert.equal(code, 0);
    assert.match(waiter.lines.at(-1) ?? '', /^done [1-9]\d*$/);
  }
  assert.deepEqual(requests, ['/map?size=1104x1104', '/map?size=1104x1104']);
});
