/**
 * SqliteFile under a file that another process (a cleanup) deletes and another creates again: a
 * connection never keeps reading a deleted file.
 */
import assert from 'node:assert/strict';
import { unlinkSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
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

/** A SqliteFile on `file` whose opens create the table `t`, closed when the test ends. */
function tableFile(t: TestContext, file: string, timeoutMs: number, onOpen?: () => void): SqliteFile {
  const sqlite = new SqliteFile({
    file,
    timeoutMs,
    wal: false,
    initialize: (db) => {
      db.exec('CREATE TABLE IF NOT EXISTS t (v TEXT)');
      onOpen?.();
    },
  });
  t.after(() => {
    sqlite.close();
  });
  return sqlite;
}

/** Writes `value` into the table `t` of `sqlite`. */
function insertInto(sqlite: SqliteFile, value: string): Promise<void> {
  return sqlite.write((db) => {
    db.statement('INSERT INTO t VALUES (?)').run(value);
  });
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
  const sqlite = tableFile(t, file, 1000);
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

test('a write that waited on a connection closed under it leaves the connection opened since open', async (t) => {
  const dir = await makeTempDir(t);
  const file = join(dir, 'level.mbtile');
  const sqlite = tableFile(t, file, 5000);
  const insert = (value: string) => insertInto(sqlite, value);
  await insert('first');
  // another process holds the write lock: the next write waits on the connection it has, for as
  // long as the test wants (its pauses between attempts are mocked)
  const other = new Database(file);
  t.after(() => other.close());
  other.exec('BEGIN IMMEDIATE');
  t.mock.timers.enable({ apis: ['setTimeout'] });
  syncBuiltinESMExports();
  t.after(() => {
    t.mock.timers.reset();
    syncBuiltinESMExports();
  });
  const waiting = insert('waited');
  for (let i = 0; i < 20; i++) await fsp.stat(dir);
  // a cleanup deletes the file; the next call sees that, closes the connection the waiting write
  // uses and writes to a new file on a new connection, which later calls share
  await fsp.unlink(file);
  await insert('next');
  const shared = sqlite.statement('SELECT v FROM t ORDER BY v');
  other.exec('ROLLBACK');
  // the waiting write finds its connection closed and writes again on the current one (the old
  // code closed that one as well, under the calls using it: 'The database connection is not open')
  t.mock.timers.tick(1000);
  await waiting;
  assert.deepEqual(shared.all(), [{ v: 'next' }, { v: 'waited' }]);
});

test('a connection closed while a call opens it is opened once again, not twice', async (t) => {
  const dir = await makeTempDir(t);
  const file = join(dir, 'level.mbtile');
  const second: Promise<void>[] = [];
  const sqlite = tableFile(t, file, 2000, () => {
    // while the first write opens the file, a call that saw it move closes the connection and
    // the next write opens it again
    if (second.length > 0) return;
    sqlite.close();
    second.push(insert('second'));
  });
  const insert = (value: string) => insertInto(sqlite, value);
  // the old code kept both connections, and one write ran the other's cached statement outside
  // its transaction: SQLITE_BUSY after the timeout
  await insert('first');
  await Promise.all(second);
  assert.deepEqual(await sqlite.read((db) => db.statement('SELECT v FROM t ORDER BY v').all()), [
    { v: 'first' },
    { v: 'second' },
  ]);
});

test('a read that finds the pages malformed (a -wal made anew under it) opens the file again', async (t) => {
  const dir = await makeTempDir(t);
  const file = join(dir, 'level.mbtile');
  createFile(file, 'stored');
  const sqlite = new SqliteFile({ file, timeoutMs: 1000, wal: false, initialize: () => undefined });
  t.after(() => {
    sqlite.close();
  });
  // what SQLite answers through a -wal/-shm that a cleanup removed and another process made anew
  const answers = [
    new Database.SqliteError('database disk image is malformed', 'SQLITE_CORRUPT'),
    new Database.SqliteError('file is not a database', 'SQLITE_NOTADB'),
  ];
  const connections = new Set<unknown>();
  const value = await sqlite.read((db) => {
    connections.add(db.statement('SELECT v FROM t'));
    const answer = answers.shift();
    if (answer !== undefined) throw answer;
    return (db.statement('SELECT v FROM t').get() as { v: string }).v;
  });
  // the old code threw the first (a tile request's 500, a store's failure) until the file moved again
  assert.equal(value, 'stored');
  assert.equal(connections.size, 3, 'each attempt on a connection of its own');
});
