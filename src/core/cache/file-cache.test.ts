/** FileCache: storing, loading, atomic writes, single-colour links and permissions on a real directory. */
import assert from 'node:assert/strict';
import fsPromises, {
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { FileCache } from './file-cache.js';

const coord = { x: 3, y: 4, z: 2 };

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

test('stores a tile at its tc path and loads the same bytes with mtime and size', async (t) => {
  const dir = await makeTempDir(t);
  const cache = new FileCache({ directory: dir, extension: 'png' });
  await cache.storeTiles([{ coord, data: Buffer.from('tile-bytes') }]);
  assert.deepEqual(await listFiles(dir), ['02/000/000/003/000/000/004.png']);
  const tile = await cache.loadTile(coord, { withMetadata: true });
  assert.ok(tile);
  assert.equal(tile.data.toString(), 'tile-bytes');
  assert.equal(tile.sizeBytes, 10);
  assert.equal(tile.timestampMs, (await stat(join(dir, '02/000/000/003/000/000/004.png'))).mtimeMs);
  assert.equal((await cache.loadTile(coord))?.timestampMs, null);
  assert.equal(await cache.isCached(coord), true);
  assert.equal(await cache.isCached({ x: 0, y: 0, z: 2 }), false);
});

test('a missing tile loads as null and removing it twice is fine', async (t) => {
  const dir = await makeTempDir(t);
  const cache = new FileCache({ directory: dir, extension: 'jpeg', layout: 'tms' });
  assert.equal(await cache.loadTile(coord), null);
  assert.equal(await cache.tileTimestamp(coord), null);
  await cache.storeTiles([{ coord, data: Buffer.from('x') }]);
  assert.deepEqual(await listFiles(dir), ['2/3/4.jpeg']);
  await cache.removeTile(coord);
  await cache.removeTile(coord);
  assert.equal(await cache.loadTile(coord), null);
});

test('overwrites atomically and leaves no temp file behind', async (t) => {
  const dir = await makeTempDir(t);
  const cache = new FileCache({ directory: dir, extension: 'png', layout: 'tms' });
  await cache.storeTiles([{ coord, data: Buffer.from('first') }]);
  await Promise.all(
    Array.from({ length: 16 }, (_, i) => cache.storeTiles([{ coord, data: Buffer.from(`version-${i}`) }])),
  );
  assert.deepEqual(await listFiles(dir), ['2/3/4.png']);
  assert.match((await readFile(join(dir, '2/3/4.png'))).toString(), /^version-\d+$/);
});

test('a failing write raises CACHE_WRITE and leaves neither the tile nor a temp file', async (t) => {
  const dir = await makeTempDir(t);
  const cache = new FileCache({ directory: dir, extension: 'png', layout: 'tms' });
  // the tile path is a non-empty directory: the final rename must fail
  await mkdir(join(dir, '2/3/4.png/blocker'), { recursive: true });
  await assert.rejects(cache.storeTiles([{ coord, data: Buffer.from('x') }]), {
    code: 'CACHE_WRITE',
    // the system's reason, for whoever reads the seed's or server's log
    message: /^could not store tile \(3, 4, 2\) at .*4\.png \((EISDIR|ENOTEMPTY): [a-z ]+\)$/,
  });
  assert.deepEqual(await readdir(join(dir, '2/3')), ['4.png']);
  assert.ok((await lstat(join(dir, '2/3/4.png'))).isDirectory());
});

test('link_single_color_images stores one file per colour and symlinks tiles to it', async (t) => {
  const dir = await makeTempDir(t);
  const cache = new FileCache({
    directory: dir,
    extension: 'png',
    layout: 'tms',
    linkSingleColorImages: 'symlink',
  });
  const a = { x: 0, y: 0, z: 1 };
  const b = { x: 1, y: 0, z: 1 };
  await cache.storeTiles([
    { coord: a, data: Buffer.from('red'), singleColor: [254, 0, 4] },
    { coord: b, data: Buffer.from('red'), singleColor: [254, 0, 4] },
    { coord, data: Buffer.from('multi'), singleColor: null },
  ]);
  assert.equal(await readlink(join(dir, '1/0/0.png')), '../../single_color_tiles/fe0004.png');
  assert.equal(await readlink(join(dir, '1/1/0.png')), '../../single_color_tiles/fe0004.png');
  assert.ok((await lstat(join(dir, '2/3/4.png'))).isFile());
  assert.equal((await cache.loadTile(a))?.data.toString(), 'red');
  // MapProxy's lstat: a linked tile carries the link's own mtime, not the shared file's
  await utimes(join(dir, 'single_color_tiles/fe0004.png'), new Date(1_000_000), new Date(1_000_000));
  const linked = await cache.loadTile(a, { withMetadata: true });
  assert.equal(linked?.timestampMs, (await lstat(join(dir, '1/0/0.png'))).mtimeMs);
  assert.notEqual(linked.timestampMs, 1_000_000);
  // a later multi-coloured tile replaces the link, not the shared file
  await cache.storeTiles([{ coord: a, data: Buffer.from('new'), singleColor: null }]);
  assert.equal((await readFile(join(dir, 'single_color_tiles/fe0004.png'))).toString(), 'red');
  assert.equal((await cache.loadTile(a))?.data.toString(), 'new');
  assert.deepEqual(await listFiles(dir), [
    '1/0/0.png',
    '1/1/0.png',
    '2/3/4.png',
    'single_color_tiles/fe0004.png',
  ]);
});

test('link_single_color_images: hardlink shares the inode', async (t) => {
  const dir = await makeTempDir(t);
  const cache = new FileCache({
    directory: dir,
    extension: 'png',
    layout: 'tms',
    linkSingleColorImages: 'hardlink',
  });
  await cache.storeTiles([{ coord, data: Buffer.from('blue'), singleColor: [0, 0, 255, 255] }]);
  const tile = await stat(join(dir, '2/3/4.png'));
  const shared = await stat(join(dir, 'single_color_tiles/0000ffff.png'));
  assert.equal(tile.ino, shared.ino);
  assert.equal(tile.nlink, 2);
});

test('directory_permissions and file_permissions apply regardless of the umask', async (t) => {
  const dir = await makeTempDir(t);
  const cache = new FileCache({
    directory: join(dir, 'cache'),
    extension: 'png',
    layout: 'tms',
    directoryPermissions: 0o750,
    filePermissions: 0o640,
  });
  await cache.storeTiles([{ coord, data: Buffer.from('x') }]);
  assert.equal((await stat(join(dir, 'cache'))).mode & 0o777, 0o750);
  assert.equal((await stat(join(dir, 'cache/2/3'))).mode & 0o777, 0o750);
  assert.equal((await stat(join(dir, 'cache/2/3/4.png'))).mode & 0o777, 0o640);
});

test('a file where a directory should be is a cache miss, not an error', async (t) => {
  const dir = await makeTempDir(t);
  await writeFile(join(dir, '2'), 'not a dir');
  const cache = new FileCache({ directory: dir, extension: 'png', layout: 'tms' });
  assert.equal(await cache.loadTile(coord), null);
  assert.equal(await cache.isCached(coord), false);
});

test('the first write into a directory removes temp files older than the lock timeout, once', async (t) => {
  const dir = await makeTempDir(t);
  const cache = new FileCache({ directory: dir, extension: 'png', layout: 'tms', staleTempMs: 60_000 });
  await mkdir(join(dir, '2/3'), { recursive: true });
  const twoMinutesAgo = new Date(Date.now() - 120_000);
  const leftover = async (name: string, mtime: Date | null): Promise<void> => {
    await writeFile(join(dir, '2/3', name), 'partial');
    if (mtime !== null) await utimes(join(dir, '2/3', name), mtime, mtime);
  };
  // a killed writer's temp file and temp link, another writer's fresh one, and a file not ours
  await leftover('7.png.tmp-12345', twoMinutesAgo);
  await leftover('8.png.tmp-link-678', twoMinutesAgo);
  await leftover('9.png.tmp-424242', null);
  await leftover('notes.tmp-old', twoMinutesAgo);
  await cache.storeTiles([{ coord, data: Buffer.from('x') }]);
  await cache.sweepsDone();
  assert.deepEqual(await listFiles(dir), ['2/3/4.png', '2/3/9.png.tmp-424242', '2/3/notes.tmp-old']);
  // later writes into the same directory do not scan it again
  await leftover('5.png.tmp-1', twoMinutesAgo);
  await cache.storeTiles([{ coord: { x: 3, y: 5, z: 2 }, data: Buffer.from('y') }]);
  await cache.sweepsDone();
  assert.ok((await listFiles(dir)).includes('2/3/5.png.tmp-1'));
});

test('a new directory is created once for all the tiles stored into it', async (t) => {
  const dir = await makeTempDir(t);
  const cache = new FileCache({ directory: dir, extension: 'png' });
  const created: string[] = [];
  const original = fsPromises.mkdir;
  t.mock.method(fsPromises, 'mkdir', (...args: Parameters<typeof fsPromises.mkdir>) => {
    created.push(String(args[0]).slice(dir.length + 1));
    return original(...args);
  });
  syncBuiltinESMExports();
  t.after(() => {
    t.mock.restoreAll();
    syncBuiltinESMExports();
  });
  // a 4x4 meta tile's tiles: four columns, each its own directory (tc: z/x/x/x/y/y/y.png)
  const tiles = [];
  for (let x = 0; x < 4; x++)
    for (let y = 0; y < 4; y++) tiles.push({ coord: { x, y, z: 2 }, data: Buffer.from(`${x}${y}`) });
  await cache.storeTiles(tiles);
  const columns = ['000', '001', '002', '003'].map((x) => `02/000/000/${x}/000/000`);
  for (const column of columns) assert.equal(created.filter((d) => d === column).length, 1, column);
  assert.equal((await listFiles(dir)).length, 16);
  assert.equal((await readFile(join(dir, '02/000/000/003/000/000/002.png'))).toString(), '32');
  // once written to, a directory is not created again
  created.length = 0;
  await cache.storeTiles(tiles.map((tile) => ({ ...tile, data: Buffer.from('again') })));
  assert.deepEqual(created, []);
  assert.equal((await readFile(join(dir, '02/000/000/003/000/000/002.png'))).toString(), 'again');
});
