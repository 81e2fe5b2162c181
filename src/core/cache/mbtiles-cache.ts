/**
 * The `mbtiles` cache backend (MapProxy `cache/mbtiles.py` MBTilesCache): all tiles in one SQLite
 * file, table `tiles(zoom_level, tile_column, tile_row, tile_data)`. Also each level file of the
 * `sqlite` backend, which adds MapProxy's `last_modified` column (local time, whole seconds).
 */
import type { TileCoord } from '../grid/index.js';
import { lockCacheId } from './cache-dir.js';
import { CacheError } from './errors.js';
import { SqliteFile, type SqliteDatabase } from './sqlite-file.js';
import type { CachedTile, TileCache, TileToStore } from './types.js';

export interface MBTilesCacheOptions {
  readonly file: string;
  /** Keep `last_modified` per tile (the `sqlite` backend's level files). Default false. */
  readonly withTimestamps?: boolean | undefined;
  /** `sqlite_timeout` in ms; default 30 000. */
  readonly timeoutMs?: number | undefined;
  /** `sqlite_wal`; default true (MapProxy defaults to false; see docs/differences.md). */
  readonly wal?: boolean | undefined;
  /** Written as the `name` and `format` metadata rows of a file this cache creates. */
  readonly metadata?: { readonly name: string; readonly format: string | null } | undefined;
  /** Overrides MapProxy's `'mbtiles-' + md5(file)`. */
  readonly lockCacheId?: string | undefined;
  readonly dirMode?: number | null | undefined;
  readonly fileMode?: number | null | undefined;
  /** Clock for `last_modified`, ms since the epoch. */
  readonly now?: (() => number) | undefined;
}

const SELECT = 'SELECT tile_data FROM tiles WHERE tile_column = ? AND tile_row = ? AND zoom_level = ?';
const SELECT_WITH_TIME =
  'SELECT tile_data, last_modified FROM tiles WHERE tile_column = ? AND tile_row = ? AND zoom_level = ?';
const EXISTS = 'SELECT 1 FROM tiles WHERE tile_column = ? AND tile_row = ? AND zoom_level = ?';
const INSERT =
  'INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)';
const INSERT_WITH_TIME =
  'INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data, last_modified) ' +
  "VALUES (?, ?, ?, ?, datetime(?, 'unixepoch', 'localtime'))";
const DELETE = 'DELETE FROM tiles WHERE tile_column = ? AND tile_row = ? AND zoom_level = ?';
const DELETE_LEVEL = 'DELETE FROM tiles WHERE zoom_level = ?';
const COUNT = 'SELECT COUNT(*) AS n FROM tiles';
// MapProxy compares with `<` here, not the `<=` of is_stale
const DELETE_LEVEL_BEFORE =
  "DELETE FROM tiles WHERE zoom_level = ? AND last_modified < datetime(?, 'unixepoch', 'localtime')";

interface TileRow {
  readonly tile_data: Buffer;
  readonly last_modified?: string | null;
}

/** MapProxy's `sqlite_datetime_to_timestamp`: `YYYY-MM-DD HH:MM:SS` in local time, to ms. */
export function localDatetimeToMs(value: string | null | undefined): number | null {
  const match = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)/.exec(value ?? '');
  if (match === null) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(y, mo - 1, d, h, mi, s).getTime();
}

function tileName(coord: TileCoord): string {
  return `(${coord.x}, ${coord.y}, ${coord.z})`;
}

/**
 * MapProxy's `_initialize_mbtile` for a file without a `tiles` table; an existing file (also one
 * whose `tiles` is a view, as other tools write) is used as it is.
 */
function initializer(withTimestamps: boolean, metadata: MBTilesCacheOptions['metadata']) {
  return (db: SqliteDatabase): void => {
    const existing = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'tiles'").get();
    if (existing !== undefined) return;
    const timestampColumn = withTimestamps
      ? ", last_modified datetime DEFAULT (datetime('now','localtime'))"
      : '';
    db.exec(
      `CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob${timestampColumn});` +
        'CREATE TABLE IF NOT EXISTS metadata (name text, value text);' +
        'CREATE UNIQUE INDEX idx_tile on tiles (zoom_level, tile_column, tile_row);',
    );
    // MBTiles 1.3 requires `name` and `format`; MapProxy leaves the table empty when seeding
    if (metadata !== undefined) {
      const insert = db.prepare('INSERT INTO metadata (name, value) VALUES (?, ?)');
      insert.run('name', metadata.name);
      if (metadata.format !== null) insert.run('format', metadata.format);
    }
  };
}

export class MBTilesCache implements TileCache {
  readonly file: string;
  readonly lockCacheId: string;
  readonly supportsTimestamps: boolean;
  readonly isDummy = false;
  readonly wantsSingleColor = false;
  readonly #db: SqliteFile;
  readonly #now: () => number;

  constructor(options: MBTilesCacheOptions) {
    this.file = options.file;
    this.supportsTimestamps = options.withTimestamps ?? false;
    this.lockCacheId = options.lockCacheId ?? `mbtiles-${lockCacheId(options.file)}`;
    this.#now = options.now ?? Date.now;
    this.#db = new SqliteFile({
      file: options.file,
      timeoutMs: options.timeoutMs ?? 30_000,
      wal: options.wal ?? true,
      dirMode: options.dirMode,
      fileMode: options.fileMode,
      initialize: initializer(this.supportsTimestamps, options.metadata),
    });
  }

  /** With or without `withMetadata` this is the same lookup (dimensions are ignored, as MapProxy does). */
  async loadTile(coord: TileCoord): Promise<CachedTile | null> {
    const [tile] = await this.loadTiles([coord]);
    return tile ?? null;
  }

  async loadTiles(coords: readonly TileCoord[]): Promise<(CachedTile | null)[]> {
    const sql = this.supportsTimestamps ? SELECT_WITH_TIME : SELECT;
    try {
      // primary-key lookups take microseconds each: one synchronous pass over all coords
      const rows = await this.#db.read((db) => {
        const select = db.statement(sql);
        return coords.map((c) => select.get(c.x, c.y, c.z) as TileRow | undefined);
      });
      return coords.map((coord, i) => {
        const row = rows?.[i];
        if (row === undefined) return null;
        const data = Buffer.from(row.tile_data);
        const timestampMs = this.supportsTimestamps ? localDatetimeToMs(row.last_modified) : null;
        return { coord, data, timestampMs, sizeBytes: data.length };
      });
    } catch (error) {
      const first = coords[0];
      throw new CacheError(
        `could not read tile${coords.length === 1 && first ? ` ${tileName(first)}` : 's'} from ${this.file}`,
        'CACHE_READ',
        { cause: error, path: this.file },
      );
    }
  }

  async tileTimestamp(coord: TileCoord): Promise<number | null> {
    if (this.supportsTimestamps) return (await this.loadTile(coord))?.timestampMs ?? null;
    // MBTiles keeps no times; MapProxy reports -1 for a stored tile. 0 keeps "stored" apart from null
    return (await this.isCached(coord)) ? 0 : null;
  }

  async isCached(coord: TileCoord): Promise<boolean> {
    try {
      const row = await this.#db.read((db) => db.statement(EXISTS).get(coord.x, coord.y, coord.z));
      return row !== undefined && row !== null;
    } catch (error) {
      throw new CacheError(`could not read tile ${tileName(coord)} from ${this.file}`, 'CACHE_READ', {
        cause: error,
        path: this.file,
      });
    }
  }

  async storeTiles(tiles: readonly TileToStore[]): Promise<void> {
    if (tiles.length === 0) return;
    const seconds = this.#now() / 1000;
    try {
      // one transaction per meta tile (MapProxy `_store_bulk`), retried while another writer holds it
      await this.#db.write((db) => {
        if (this.supportsTimestamps) {
          const insert = db.statement(INSERT_WITH_TIME);
          for (const { coord, data } of tiles) insert.run(coord.z, coord.x, coord.y, data, seconds);
        } else {
          const insert = db.statement(INSERT);
          for (const { coord, data } of tiles) insert.run(coord.z, coord.x, coord.y, data);
        }
      });
    } catch (error) {
      throw new CacheError(`could not store ${tiles.length} tile(s) in ${this.file}`, 'CACHE_WRITE', {
        cause: error,
        path: this.file,
      });
    }
  }

  async removeTile(coord: TileCoord): Promise<void> {
    try {
      await this.#db.write((db) => db.statement(DELETE).run(coord.x, coord.y, coord.z));
    } catch (error) {
      throw new CacheError(`could not remove tile ${tileName(coord)} from ${this.file}`, 'CACHE_WRITE', {
        cause: error,
        path: this.file,
      });
    }
  }

  /**
   * MapProxy `MBTilesCache.remove_level_tiles_before`: every row of level `z` for 0, the rows
   * stored before `limitSeconds` when the file keeps times, else nothing. A missing file stays missing.
   */
  async removeLevelTilesBefore(z: number, limitSeconds: number): Promise<number> {
    if (limitSeconds === 0) return this.#db.deleteLevelRows(DELETE_LEVEL, z);
    return this.supportsTimestamps ? this.#db.deleteLevelRows(DELETE_LEVEL_BEFORE, z, limitSeconds) : 0;
  }

  /** The number of tiles in the file (a level of the `sqlite` backend), 0 when there is none. */
  countTiles(): Promise<number> {
    return this.#db.countRows(COUNT);
  }

  /** Deletes the whole file (a level of the `sqlite` backend); false when there was none. */
  deleteFile(): Promise<boolean> {
    return this.#db.deleteFile();
  }

  /** Closes the connection (it reopens on the next use). */
  close(): void {
    this.#db.close();
  }
}
