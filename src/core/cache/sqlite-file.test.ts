/**
 * SqliteFile under a file that another process (a cleanup) deletes and another creates again: a
 * connection never keeps reading a deleted file.
 */
import assert from 'node:assert/strict';
import { unlinkSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { SqliteFile } from './sqlite-file.js';

/** Creates `file` anew (a new inode) holding the one value `value`. */
function createFile(file: string, value: string): void {
  const db = new Database(file);
  db.exec('CREATE TABLE IF NOT EXISTS t (v TEXT)');
  db.prepare('INSERT INTO t VALUES (?)').run(value);
  db.close();
}

test('a file replaced at every open reaches its connection on the next call', async (t) => {
  const dir = await makeTempDir(t);
  const file = join(dir, 'level.mbtile');
  createFile(file, 'gen-0');
  // each of the first three opens finds its file replaced right after SQLite opened it, as a
  // cleanup deleting the file and a server creating it again would do
  let replaced = 0;
  const sqlite = new SqliteFile({
    file,
    timeoutMs: 1000,
    wal: false,
    initialize: () => {
      if (replaced >= 3) return;
      replaced += 1;
      unlinkSync(file);
      createFile(file, `gen-${String(replaced)}`);
    },
  });
  t.after(() => {
    sqlite.close();
  });
  const value = () => sqlite.read((db) => (db.statement('SELECT v FROM t').get() as { v: string }).v);
  // the first call may read the file it opened (which one is unknown while the file moves) ...
  assert.match((await value()) ?? '', /^gen-[23]$/);
  assert.equal(replaced, 3);
  // ... the next reads the file that is there now (the old code kept the deleted gen-2 for good)
  assert.equal(await value(), 'gen-3');
  assert.equal(await value(), 'gen-3');
});

test('a table gone under the connection is created again by the next open, and the read is a miss', async (t) => {
  const dir = await makeTempDir(t);
  const file = join(dir, 'level.mbtile');
  createFile(file, 'gen-0');
  const sqlite = new SqliteFile({
    file,
    timeoutMs: 1000,
    wal: false,
    initialize: (db) => {
      db.exec('CREATE TABLE IF NOT EXISTS t (v TEXT)');
    },
  });
  t.after(() => {
    sqlite.close();
  });
  const value = () =>
    sqlite.read((db) => (db.statement('SELECT v FROM t').get() as { v: string } | undefined)?.v ?? 'none');
  assert.equal(await value(), 'gen-0');
  // another connection takes the table away, as the cleanup stress did to a level file's `tiles`
  const other = new Database(file);
  other.exec('DROP TABLE t');
  other.close();
  // the old code threw SQLITE_ERROR 'no such table: t' (a 500 for the tile request)
  assert.equal(await value(), 'none');
});

test("deleting a WAL file leaves the next file's -wal and -shm alone when it is created at once", async (t) => {
  const dir = await makeTempDir(t);
  const file = join(dir, 'level.mbtile');
  // the old file in WAL mode, its -wal kept by a connection of another worker
  const setup = new Database(file);
  setup.pragma('journal_mode = WAL');
  setup.exec('CREATE TABLE t (v TEXT)');
  setup.close();
  const old = new Database(file);
  old.pragma('wal_autocheckpoint = 0');
  old.prepare('INSERT INTO t VALUES (?)').run('old');
  const next: Database.Database[] = [];
  t.after(() => {
    old.close();
    for (const db of next) db.close();
  });
  // another worker creates the next file the moment the cleanup has removed the old one
  const plainUnlink = fsp.unlink;
  fsp.unlink = async (path) => {
    await plainUnlink(path);
    if (path !== file) return;
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (v TEXT)');
    db.prepare('INSERT INTO t VALUES (?)').run('next');
    next.push(db);
  };
  syncBuiltinESMExports();
  const sqlite = new SqliteFile({ file, timeoutMs: 1000, wal: true, initialize: () => undefined });
  try {
    assert.equal(await sqlite.deleteFile(), true);
  } finally {
    fsp.unlink = plainUnlink;
    syncBuiltinESMExports();
  }
  // a connection opened now reads the next file (the old code removed its -wal and -shm after it
  // was created: SQLITE_IOERR_SHORT_READ)
  const reader = new Database(file);
  t.after(() => reader.close());
  assert.deepEqual(reader.prepare('SELECT v FROM t').all(), [{ v: 'next' }]);
});
