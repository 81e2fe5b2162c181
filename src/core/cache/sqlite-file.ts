/**
 * One SQLite file of a cache backend (mbtiles, sqlite levels, geopackage); the only importer of
 * better-sqlite3. Statements stay prepared, writes are one IMMEDIATE transaction per batch, and a
 * database locked by another process is waited for asynchronously, never as a long blocking call.
 */
import { access, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';

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
}

// Each blocking wait inside SQLite stays this short; longer waits happen between event-loop turns.
const BLOCKING_BUSY_MS = 20;
const MAX_PAUSE_MS = 100;

/** True for SQLite's "database is locked/busy" family (`SQLITE_BUSY_SNAPSHOT`, `SQLITE_LOCKED`...). */
export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

function isReadOnlyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_READONLY');
}

export class SqliteFile {
  readonly file: string;
  readonly #options: SqliteFileOptions;
  #db: SqliteDatabase | null = null;
  #opening: Promise<SqliteDatabase> | null = null;
  #isWal = false;
  readonly #statements = new Map<string, SqliteStatement>();

  constructor(options: SqliteFileOptions) {
    this.file = options.file;
    this.#options = options;
  }

  /**
   * Runs `read` against the file; null when the file does not exist yet (nothing is created for a
   * read). A busy database is retried until `timeoutMs`; then the SQLite error is thrown.
   */
  async read<T>(read: (db: SqliteFile) => T): Promise<T | null> {
    if (this.#db === null) {
      const exists = await access(this.file).then(
        () => true,
        () => false,
      );
      if (!exists) return null;
    }
    await this.#open();
    return this.#retry(() => read(this));
  }

  /** Runs `write` in one `BEGIN IMMEDIATE` transaction, creating the file when needed. */
  async write<T>(write: (db: SqliteFile) => T): Promise<T> {
    const db = await this.#open();
    if (this.#options.wal && !this.#isWal) {
      // switched on the first write, so serving a file never changes it. journal_mode needs a
      // moment without other writers; a file that stays busy or is read-only keeps its mode,
      // which only costs concurrency, never tiles
      await this.#retry(() => db.pragma('journal_mode = WAL')).catch((error: unknown) => {
        if (!isBusyError(error) && !isReadOnlyError(error)) throw error;
      });
      this.#isWal = true;
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
  }

  #open(): Promise<SqliteDatabase> {
    if (this.#db !== null) return Promise.resolve(this.#db);
    this.#opening ??= this.#connect().catch((error: unknown) => {
      this.#opening = null;
      throw error;
    });
    return this.#opening;
  }

  async #connect(): Promise<SqliteDatabase> {
    const { dirMode } = this.#options;
    await mkdir(dirname(this.file), { recursive: true, ...(dirMode == null ? {} : { mode: dirMode }) });
    const db = new Database(this.file, { timeout: Math.min(BLOCKING_BUSY_MS, this.#options.timeoutMs) });
    try {
      const initialize = db.transaction(() => {
        this.#options.initialize(db);
      });
      await this.#retry(() => {
        initialize.immediate();
      }).catch((error: unknown) => {
        // a read-only file (an archive served as it is) can still be read
        if (!isReadOnlyError(error)) throw error;
      });
      this.#db = db;
      return db;
    } catch (error) {
      this.#db = null;
      this.#statements.clear();
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
