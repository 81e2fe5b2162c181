/**
 * Cross-process locking for real: a child node process and this process create tiles of one meta
 * tile in the same cache directory at the same time; the upstream must see exactly one request.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
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

test('two processes on one cache directory make exactly one upstream request for one meta tile', async (t) => {
  const dir = await makeTempDir(t);
  const cacheDir = join(dir, 'cache');
  const lockDir = join(dir, 'cache', 'tile_locks');
  const creatorPath = join(dir, 'creator.mjs');
  const childPath = join(dir, 'child.mjs');
  await writeFile(creatorPath, CREATOR);
  await writeFile(childPath, CHILD(creatorPath));

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
