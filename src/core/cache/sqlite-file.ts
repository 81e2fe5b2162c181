/**
 * One SQLite file of a cache backend (mbtiles, sqlite levels, geopackage); the only importer of
 * better-sqlite3. Statements stay prepared, writes are one IMMEDIATE transaction per batch, and a
 * database locked by another process is waited for asynchronously, never as a long blocking call.
 * A file removed or replaced by another process (a cleanup) is reopened on the next use.
 */
import { access, chmod, readdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { ensureDirectory } from '../util/index.js';
import { CacheError } from './errors.js';

export type SqliteDatabase = Database.Database;
export type SqliteStatement = Database.Statement;

export interface SqliteFileOptions {
  readonly file: string;
  /** How long to wait for a lock held by another connection (MapProxy `sqlite_timeout`, 30 s). */
  readonly timeoutMs: number;
  /**
   * Switch the file to write-ahead logging (`sqlite_wal`) on the first write, so readers never
   * wait for writers; a file that is only read keeps its journal mode.
   */
  readonly wal: boolean;
  /** Creates what a new or foreign file lacks; runs inside the first write transaction. */
  readonly initialize: (db: SqliteDatabase) => void;
  /** `directory_permissions` for a created parent directory. */
  readonly dirMode?: number | null | undefined;
  /** `file_permissions` for the file when it is created here (SQLite gives its WAL files the same). */
  readonly fileMode?: number | null | undefined;
}

// Each blocking wait inside SQLite stays this short; longer waits happen between event-loop turns.
const BLOCKING_BUSY_MS = 20;
const MAX_PAUSE_MS = 100;

/** True for SQLite's "database is locked/busy" family (`SQLITE_BUSY_SNAPSHOT`, `SQLITE_LOCKED`...). */
export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/** A read-only file; not one removed under the connection (SQLITE_READONLY_DBMOVED, `isMovedError`). */
function isReadOnlyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_READONLY') && !isMovedError(error);
}

/**
 * What SQLite answers when the file, or its `-wal`/`-shm`, was removed under the connection: a
 * write SQLITE_READONLY_DBMOVED; looking for companions of a file that is gone, SQLITE_IOERR_*;
 * reading through a `-wal`/`-shm` that a cleanup removed and another process made anew for the
 * next file, SQLITE_CORRUPT ('database disk image is malformed') or SQLITE_NOTADB. A real I/O
 * error or corrupt file is thrown too, after MOVED_ATTEMPTS.
 */
function isMovedError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    (code === 'SQLITE_READONLY_DBMOVED' ||
      code.startsWith('SQLITE_IOERR') ||
      code.startsWith('SQLITE_CORRUPT') ||
      code === 'SQLITE_NOTADB')
  );
}

/**
 * A table the connection had is gone (SQLITE_ERROR `no such table: tiles`): the file's schema
 * changed under it. Seen only while a cleanup deleted level files and other workers created them
 * again (`serve -w 2`, 20 clients, remove_all every ~65 ms: 3 of 2398 reads); reopened, the
 * initializer creates the table again and the read is a miss instead of a 500.
 */
function isSchemaGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_ERROR' && error instanceof Error && error.message.startsWith('no such table');
}

/**
 * The connection was closed under a call by another that saw the file move, while this one waited
 * for a busy database (better-sqlite3's TypeError; `statement()`'s own when it was not reopened yet).
 */
function isClosedUnder(error: unknown): boolean {
  return error instanceof Error && /(The database connection|\.\S+) is not open$/.test(error.message);
}

/** How often a call runs when the file keeps moving under it (a cleanup deletes it once). */
const MOVED_ATTEMPTS = 3;

/** The connection an attempt of a call used, once it has one. */
interface UsedConnection {
  db: SqliteDatabase | null;
}

/** The identity of a connection whose file moved while it opened: no file has it, so the next call reopens. */
const UNVERIFIED = 'unverified';

export class SqliteFile {
  readonly file: string;
  readonly #options: SqliteFileOptions;
  #db: SqliteDatabase | null = null;
  #opening: Promise<SqliteDatabase> | null = null;
  #isWal = false;
  /** Device, inode and birth time of the open file, to notice when another process removed or replaced it. */
  #identity: string | null = null;
  #checking: Promise<void> | null = null;
  readonly #statements = new Map<string, SqliteStatement>();

  constructor(options: SqliteFileOptions) {
    this.file = options.file;
    this.#options = options;
  }

  /**
   * Runs `read` against the file; null when the file does not exist yet (nothing is created for a
   * read). A busy database is retried until `timeoutMs`; then the SQLite error is thrown.
   */
  read<T>(read: (db: SqliteFile) => T): Promise<T | null> {
    return this.#onCurrentFile(async (used) => {
      await this.#dropIfMoved();
      if (this.#db === null) {
        const exists = await access(this.file).then(
          () => true,
          () => false,
        );
        if (!exists) return null;
      }
      used.db = await this.#open();
      return this.#retry(() => read(this));
    });
  }

  /** Runs `write` in one `BEGIN IMMEDIATE` transaction, creating the file when needed. */
  write<T>(write: (db: SqliteFile) => T): Promise<T> {
    return this.#onCurrentFile((used) => this.#write(write, used));
  }

  /**
   * Runs `use`, and again on the file there now when it failed because another process (a
   * cleanup) removed or replaced the file, or its `-wal`/`-shm`, under the connection after
   * `#dropIfMoved` looked, or while it opened: SQLite then answers SQLITE_READONLY_DBMOVED, or an
   * SQLITE_IOERR_* (FSTAT, DELETE_NOENT: it looks for the companions of a file that is gone), or
   * the connection was closed under it. `serve -w 2`, 20 keep-alive clients on cold tiles of a
   * `sqlite` cache, its level files deleted every 30 ms (as a cleanup does) for 28 s: 11710 of
   * 12772 answered 500 before (and a worker kept answering 500 once the deletions stopped), now
   * 0 of 1027 (3 of 1313 in another run).
   *
   * Only the connection the failed attempt used is closed, and only while it is still the
   * current one: calls share the connection, and one that waited for a busy database on a
   * connection another call had since replaced (it saw the file move) used to close the
   * replacement too, under the calls using it, which then closed the next one in turn ('The
   * database connection is not open' after MOVED_ATTEMPTS, the store failures of the cleanup stress).
   */
  async #onCurrentFile<T>(use: (used: UsedConnection) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const used: UsedConnection = { db: null };
      try {
        return await use(used);
      } catch (error) {
        const isGone = isMovedError(error) || isClosedUnder(error) || isSchemaGone(error);
        if (attempt >= MOVED_ATTEMPTS || !isGone) throw error;
        if (used.db !== null && used.db === this.#db) this.close();
      }
    }
  }

  async #write<T>(write: (db: SqliteFile) => T, used: UsedConnection): Promise<T> {
    await this.#dropIfMoved();
    const db = await this.#open();
    used.db = db;
    if (this.#options.wal && !this.#isWal) {
      // switched on the first write, so serving a file never changes it. journal_mode needs a
      // moment without other writers; a file that stays busy or is read-only keeps its mode,
      // which only costs concurrency, never tiles
      await this.#retry(() => db.pragma('journal_mode = WAL')).catch((error: unknown) => {
        if (!isBusyError(error) && !isReadOnlyError(error)) throw error;
      });
      // the mode of this connection's file, not of one opened since
      if (db === this.#db) this.#isWal = true;
    }
    const transaction = db.transaction(() => write(this));
    return this.#retry(() => transaction.immediate());
  }

  /** A prepared statement, compiled once per connection. */
  statement(sql: string): SqliteStatement {
    const db = this.#db;
    if (db === null) throw new Error(`${this.file} is not open`);
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Closes the connection; the next call opens it again. */
  close(): void {
    this.#statements.clear();
    this.#db?.close();
    this.#db = null;
    this.#opening = null;
    this.#isWal = false;
    this.#identity = null;
  }

  /**
   * The `n` of a `SELECT COUNT(*) AS n` statement `sql`, 0 when the file does not exist. Rejects
   * with `CacheError` (`CACHE_READ`).
   */
  async countRows(sql: string): Promise<number> {
    try {
      const row = await this.read((db) => db.statement(sql).get() as { n: number } | undefined);
      return row?.n ?? 0;
    } catch (error) {
      throw new CacheError(`could not count the tiles in ${this.file}`, 'CACHE_READ', {
        cause: error,
        path: this.file,
      });
    }
  }

  /**
   * Runs the level deletion `sql` (the level, then `params`) in one transaction; resolves with the
   * number of rows removed. A missing file is not created. Rejects with `CacheError` (`CACHE_WRITE`).
   */
  async deleteLevelRows(sql: string, z: number, ...params: readonly number[]): Promise<number> {
    try {
      if ((await this.read(() => true)) === null) return 0;
      return await this.write((db) => db.statement(sql).run(z, ...params).changes);
    } catch (error) {
      throw new CacheError(
        `could not remove the tiles of level ${String(z)} from ${this.file}`,
        'CACHE_WRITE',
        {
          cause: error,
          path: this.file,
        },
      );
    }
  }

  /**
   * Closes the connection and deletes the file with its `-wal`, `-shm` and `-journal` companions
   * (MapProxy `MBTilesLevelCache.remove_level_tiles_before`: the file and `<file>-*`). Resolves
   * with false when there was no file; rejects with `CacheError` (`CACHE_WRITE`).
   */
  async deleteFile(): Promise<boolean> {
    try {
      return await this.#deleteFile();
    } catch (error) {
      throw new CacheError(`could not remove ${this.file}`, 'CACHE_WRITE', { cause: error, path: this.file });
    }
  }

  async #deleteFile(): Promise<boolean> {
    this.close();
    const name = basename(this.file);
    const companions = (await readdir(dirname(this.file)).catch(() => [] as string[])).filter((n) =>
      n.startsWith(`${name}-`),
    );
    // the companions first: once the file is gone another process may create the next one at
    // once, and it takes a `-wal`/`-shm` still there for its own; removed after that (MapProxy's
    // order), every connection opened later failed with SQLITE_IOERR_SHORT_READ (the store
    // failures of the cleanup stress). Removed before, a reader of the old file in between may
    // make new ones, which the next file reads as its own without harm (checked by hand)
    for (const companion of companions)
      await unlink(join(dirname(this.file), companion)).catch(() => undefined);
    return unlink(this.file).then(
      () => true,
      (error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      },
    );
  }

  /**
   * Closes a connection whose file another process deleted or replaced since it was opened, so
   * the next statement sees the file that is there now, not the tiles of a removed one. SQLite
   * notices the move itself and neither checkpoints nor deletes the new file's `-wal` on close.
   * Calls that arrive while a check runs share it: under load one `stat` serves many reads.
   */
  #dropIfMoved(): Promise<void> {
    if (this.#db === null || this.#identity === null) return Promise.resolve();
    this.#checking ??= (async () => {
      try {
        if ((await fileIdentity(this.file)) !== this.#identity) this.close();
      } finally {
        this.#checking = null;
      }
    })();
    return this.#checking;
  }

  #open(): Promise<SqliteDatabase> {
    if (this.#db !== null) return Promise.resolve(this.#db);
    this.#opening ??= this.#connect().catch((error: unknown) => {
      this.#opening = null;
      throw error;
    });
    return this.#opening;
  }

  /**
   * Opens the file. Its identity is taken before and after: when they differ (the file was
   * created, or another process replaced it meanwhile), which one SQLite opened is unknown, and a
   * connection kept under another file's identity would never notice that its own was deleted
   * (reads from the deleted file for good): it opens again, up to MOVED_ATTEMPTS times. A file
   * still moving then is used for this call only (UNVERIFIED). Keeping `after` there left workers
   * of `serve -w 2` serving a deleted level file's tiles for good: 20 keep-alive clients on levels
   * 3-5 while a cleanup deleted their files every ~60 ms for 10 s, then every tile requested once:
   * in each of 3 runs most of a level never reached the live file (1 of 64, 1 of 256 rows); now
   * all 1344 in 2 runs, 1342 in the third.
   */
  async #connect(): Promise<SqliteDatabase> {
    for (let attempt = 1; ; attempt++) {
      const before = await fileIdentity(this.file);
      const db = await this.#openFile(before === null);
      const after = await fileIdentity(this.file).catch((error: unknown) => {
        db.close();
        throw error;
      });
      const isSame = before !== null && before === after;
      if (isSame || attempt >= MOVED_ATTEMPTS) {
        // a call closed the connection while this one opened, and another call opened the next
        // one meanwhile: that one stays (its statements are cached), this one would never be closed
        if (this.#db !== null) {
          db.close();
          return this.#db;
        }
        this.#identity = isSame ? after : UNVERIFIED;
        this.#db = db;
        return db;
      }
      db.close();
    }
  }

  async #openFile(isNew: boolean): Promise<SqliteDatabase> {
    const { dirMode, fileMode } = this.#options;
    await ensureDirectory(dirname(this.file), dirMode);
    const newFileMode = typeof fileMode === 'number' && isNew ? fileMode : null;
    const db = new Database(this.file, { timeout: Math.min(BLOCKING_BUSY_MS, this.#options.timeoutMs) });
    try {
      // chmod, so the umask does not narrow it (as for tile files)
      if (newFileMode !== null) await chmod(this.file, newFileMode);
      const initialize = db.transaction(() => {
        this.#options.initialize(db);
      });
      await this.#retry(() => {
        initialize.immediate();
      }).catch((error: unknown) => {
        // a read-only file (an archive served as it is) can still be read
        if (!isReadOnlyError(error)) throw error;
      });
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async #retry<T>(attempt: () => T): Promise<T> {
    const deadline = performance.now() + this.#options.timeoutMs;
    let pauseMs = 2;
    for (;;) {
      try {
        return attempt();
      } catch (error) {
        if (!isBusyError(error) || performance.now() >= deadline) throw error;
      }
      await sleep(pauseMs);
      pauseMs = Math.min(pauseMs * 2, MAX_PAUSE_MS);
    }
  }
}

/**
 * `<device>:<inode>:<birth time>` of `file`, null when it does not exist. The birth time because a
 * file deleted and created again at once often gets the freed inode back: a worker that compared
 * inodes only kept the deleted file open for good (every write SQLITE_READONLY_DBMOVED).
 */
async function fileIdentity(file: string): Promise<string | null> {
  try {
    const info = await stat(file, { bigint: true });
    return `${String(info.dev)}:${String(info.ino)}:${String(info.birthtimeNs)}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
