/**
 * The SQLite backends under contention from other processes: every write lands ("database is
 * locked" is waited out, never a missing tile), and the file formats are MapProxy's.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createTileGrid, GLOBAL_GEODETIC, GLOBAL_WEBMERCATOR } from '../grid/index.js';
import { GeopackageCache } from './geopackage-cache.js';
import { LevelCache } from './level-cache.js';
import { childImport } from '../../../test/helpers/dist.js';
import { localDatetimeToMs, MBTilesCache } from './mbtiles-cache.js';

const MBTILES = childImport(fileURLToPath(new URL('./mbtiles-cache.ts', import.meta.url)));
const TILES_PER_WRITER = 150;

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sqlite-caches-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Writer {
  /** Resolves once the process stored its first tile. */
  readonly started: Promise<void>;
  readonly done: Promise<void>;
}

/** A process storing `count` tiles of column `x`, one transaction each, into `file`. */
function writerProcess(file: string, x: number, count: number, wal: boolean, timeoutMs: number): Writer {
  const script = `
    const { MBTilesCache } = await import(${JSON.stringify(MBTILES.module)});
    const cache = new MBTilesCache({ file: ${JSON.stringify(file)}, wal: ${String(wal)}, timeoutMs: ${timeoutMs} });
    for (let y = 0; y < ${count}; y++) {
      await cache.storeTiles([{ coord: { x: ${x}, y, z: 12 }, data: Buffer.from('tile ${x}/' + y) }]);
      if (y === 0) process.stdout.write('started\\n');
    }`;
  const child = spawn(process.execPath, [...MBTILES.execArgv, '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = new Promise<void>((resolve) =>
    child.stdout.once('data', () => {
      resolve();
    }),
  );
  const done = new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`writer ${x} exited with ${String(code)}: ${stderr}`));
    });
  });
  return { started: Promise.race([started, done]), done };
}

for (const wal of [true, false]) {
  test(`two writer processes and this one lose no tile (${wal ? 'WAL' : 'rollback journal'})`, async (t) => {
    const file = join(await tempDir(t), 'contended.mbtiles');
    const cache = new MBTilesCache({ file, wal, timeoutMs: 60_000 });
    t.after(() => {
      cache.close();
    });
    const children = [1, 2].map((x) => writerProcess(file, x, TILES_PER_WRITER, wal, 60_000));
    // all three write at once: this process starts when both others have stored a tile
    await Promise.all(children.map((c) => c.started));
    let reads = 0;
    for (let y = 0; y < TILES_PER_WRITER; y++) {
      await cache.storeTiles([{ coord: { x: 0, y, z: 12 }, data: Buffer.from(`tile 0/${y}`) }]);
      // reads in between see whatever is committed, and never fail
      if ((await cache.loadTile({ x: 0, y, z: 12 })) !== null) reads += 1;
    }
    await Promise.all(children.map((c) => c.done));
    assert.equal(reads, TILES_PER_WRITER);
    const db = new Database(file, { readonly: true });
    t.after(() => db.close());
    const rows = db.prepare('SELECT tile_column x, tile_row y, tile_data d FROM tiles').all() as {
      x: number;
      y: number;
      d: Buffer;
    }[];
    assert.equal(rows.length, 3 * TILES_PER_WRITER, 'every tile of every writer is stored');
    for (const row of rows) assert.equal(row.d.toString(), `tile ${row.x}/${row.y}`);
    const journal = db.pragma('journal_mode', { simple: true });
    assert.equal(journal, wal ? 'wal' : 'delete');
  });
}

test('mbtiles: MapProxy schema, name/format metadata, tile_row as given, no timestamps', async (t) => {
  const file = join(await tempDir(t), 'a.mbtiles');
  const cache = new MBTilesCache({ file, metadata: { name: 'osm', format: 'png' } });
  t.after(() => {
    cache.close();
  });
  assert.equal(await cache.loadTile({ x: 0, y: 0, z: 0 }), null, 'a missing file is a miss');
  await cache.storeTiles([
    { coord: { x: 1, y: 0, z: 1 }, data: Buffer.from('a') },
    { coord: { x: 1, y: 1, z: 1 }, data: Buffer.from('b') },
  ]);
  const db = new Database(file, { readonly: true });
  t.after(() => db.close());
  assert.deepEqual(db.prepare('SELECT name, value FROM metadata ORDER BY name').all(), [
    { name: 'format', value: 'png' },
    { name: 'name', value: 'osm' },
  ]);
  assert.deepEqual(
    db.prepare('SELECT zoom_level, tile_column, tile_row FROM tiles ORDER BY tile_row').all(),
    [
      { zoom_level: 1, tile_column: 1, tile_row: 0 },
      { zoom_level: 1, tile_column: 1, tile_row: 1 },
    ],
  );
  const tile = await cache.loadTile({ x: 1, y: 1, z: 1 });
  assert.equal(tile?.data.toString(), 'b');
  assert.equal(tile.timestampMs, null);
  assert.equal(cache.supportsTimestamps, false);
  await cache.removeTile({ x: 1, y: 1, z: 1 });
  assert.equal(await cache.isCached({ x: 1, y: 1, z: 1 }), false);
  assert.equal(await cache.isCached({ x: 1, y: 0, z: 1 }), true);
});

test('sqlite levels: one <z>.mbtile per level with last_modified in local time', async (t) => {
  const dir = await tempDir(t);
  const nowMs = Date.UTC(2024, 4, 17, 10, 30, 15, 700);
  const cache = new LevelCache({
    lockCacheId: 'x',
    supportsTimestamps: true,
    level: (z) =>
      new MBTilesCache({ file: join(dir, `${z}.mbtile`), withTimestamps: true, now: () => nowMs }),
  });
  await cache.storeTiles([
    { coord: { x: 0, y: 0, z: 0 }, data: Buffer.from('z0') },
    { coord: { x: 3, y: 2, z: 2 }, data: Buffer.from('z2') },
  ]);
  const loaded = await cache.loadTiles([
    { x: 3, y: 2, z: 2 },
    { x: 0, y: 0, z: 1 },
    { x: 0, y: 0, z: 0 },
  ]);
  assert.deepEqual(
    loaded.map((tile) => tile?.data.toString() ?? null),
    ['z2', null, 'z0'],
  );
  assert.equal(loaded[0]?.timestampMs, nowMs - 700, 'whole seconds, as MapProxy stores them');
  const db = new Database(join(dir, '2.mbtile'), { readonly: true });
  t.after(() => db.close());
  const row = db.prepare('SELECT last_modified FROM tiles').get() as { last_modified: string };
  assert.equal(localDatetimeToMs(row.last_modified), nowMs - 700);
  assert.match(row.last_modified, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
});

test('geopackage: MapProxy tables for a new file; an SRS mismatch with an existing table is refused', async (t) => {
  const file = join(await tempDir(t), 'g.gpkg');
  const grid = createTileGrid(GLOBAL_WEBMERCATOR);
  const cache = new GeopackageCache({ file, tableName: 't1', grid });
  t.after(() => {
    cache.close();
  });
  await cache.storeTiles([{ coord: { x: 0, y: 0, z: 0 }, data: Buffer.from('g') }]);
  const db = new Database(file, { readonly: true });
  t.after(() => db.close());
  assert.equal(db.pragma('application_id', { simple: true }), 1196437808);
  const matrix = db
    .prepare(
      'SELECT zoom_level, matrix_width, tile_width, pixel_x_size FROM gpkg_tile_matrix WHERE table_name = ? ORDER BY zoom_level',
    )
    .all('t1') as {
    zoom_level: number;
    matrix_width: number;
    tile_width: number;
    pixel_x_size: number;
  }[];
  assert.equal(matrix.length, 20);
  assert.deepEqual(matrix[1], {
    zoom_level: 1,
    matrix_width: 2,
    tile_width: 256,
    pixel_x_size: grid.resolutions[1],
  });
  assert.deepEqual(db.prepare('SELECT data_type, srs_id FROM gpkg_contents').all(), [
    { data_type: 'tiles', srs_id: 3857 },
  ]);
  assert.equal((await cache.loadTile({ x: 0, y: 0, z: 0 }))?.data.toString(), 'g');

  const wrongSrs = new GeopackageCache({ file, tableName: 't1', grid: createTileGrid(GLOBAL_GEODETIC) });
  await assert.rejects(wrongSrs.loadTile({ x: 0, y: 0, z: 0 }), { code: 'CACHE_INVALID_OPTION' });
  assert.throws(() => new GeopackageCache({ file, tableName: 'a b', grid }), {
    code: 'CACHE_INVALID_OPTION',
  });
});

test('a write waiting for a busy file that a cleanup then deletes lands in the new file', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, '7.mbtile');
  // rollback journal (sqlite_wal: false; a WAL file's connection gets no error for it)
  const served = new MBTilesCache({ file, wal: false, timeoutMs: 10_000 });
  t.after(() => {
    served.close();
  });
  const tile = (x: number): { coord: { x: number; y: number; z: number }; data: Buffer } => ({
    coord: { x, y: 0, z: 7 },
    data: Buffer.from([x]),
  });
  await served.storeTiles([tile(1)]);
  // another process's write holds the file: the next store waits (SQLITE_BUSY, retried)
  const other = new Database(file);
  other.exec('BEGIN IMMEDIATE');
  const storing = served.storeTiles([tile(2)]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  // a cleanup removes the level (seed remove_all) while the store waits
  assert.equal(await new MBTilesCache({ file, wal: false }).deleteFile(), true);
  other.exec('ROLLBACK');
  other.close();
  // the waiting store's connection is on the deleted file: SQLITE_READONLY_DBMOVED, not a tile
  // stored where nobody reads it; it goes to the file there now
  await storing;
  const reader = new Database(file, { readonly: true });
  t.after(() => {
    reader.close();
  });
  assert.deepEqual(reader.prepare('SELECT tile_column FROM tiles').all(), [{ tile_column: 2 }]);
});
