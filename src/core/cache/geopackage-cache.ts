/**
 * The `geopackage` cache backend (MapProxy `cache/geopackage.py` GeopackageCache): one tile
 * pyramid table in a .gpkg, with the gpkg_* metadata tables MapProxy writes. An existing table is
 * served as it is after MapProxy's checks (tiles, SRS, tile size, resolution). Rows are the grid's
 * own rows, as MapProxy 1.15 stores them (no flip to the GeoPackage top-left convention).
 */
import type { TileGrid } from '../grid/index.js';
import type { TileCoord } from '../grid/index.js';
import { lockCacheId } from './cache-dir.js';
import { CacheError } from './errors.js';
import { SqliteFile, type SqliteDatabase } from './sqlite-file.js';
import type { CachedTile, TileCache, TileToStore } from './types.js';

export interface GeopackageCacheOptions {
  readonly file: string;
  /** The tile table; letters, digits, `_` and `-` only (MapProxy `_check_table_name`). */
  readonly tableName: string;
  readonly grid: TileGrid;
  readonly timeoutMs?: number | undefined;
  /** Default true (MapProxy defaults to false). */
  readonly wal?: boolean | undefined;
  /** Overrides MapProxy's `'gpkg' + md5(file)`. */
  readonly lockCacheId?: string | undefined;
  readonly dirMode?: number | null | undefined;
  readonly fileMode?: number | null | undefined;
}

const TABLE_NAME = /^[a-zA-Z0-9_-]+$/;
// GeoPackage 1.0 "GP10", as MapProxy 1.15 writes it
const APPLICATION_ID = 1196437808;
// MapProxy registers the first 20 levels of the grid in gpkg_tile_matrix
const MATRIX_LEVELS = 20;

const WKT_3857 =
  'PROJCS["WGS 84 / Pseudo-Mercator",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,' +
  'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],' +
  'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]],' +
  'PROJECTION["Mercator_1SP"],PARAMETER["central_meridian",0],PARAMETER["scale_factor",1],PARAMETER["false_easting",0],' +
  'PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["X",EAST],AXIS["Y",NORTH],' +
  'AUTHORITY["EPSG","3857"]]';
const WKT_4326 =
  'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],' +
  'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,' +
  'AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]';

/** True when `name` may be used as a GeoPackage tile table name. */
export function isValidTableName(name: string): boolean {
  return TABLE_NAME.test(name);
}

/** MapProxy's `get_epsg_num`: the number of an `EPSG:n` code (0 when there is none). */
function epsgNumber(code: string): number {
  const match = /:(\d+)$/.exec(code);
  return match === null ? 0 : Number(match[1]);
}

function isClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

function tileName(coord: TileCoord): string {
  return `(${coord.x}, ${coord.y}, ${coord.z})`;
}

interface ContentsRow {
  readonly data_type: string;
  readonly organization_coordsys_id: number | null;
}
interface MatrixRow {
  readonly zoom_level: number;
  readonly tile_width: number;
  readonly tile_height: number;
  readonly pixel_x_size: number;
  readonly pixel_y_size: number;
}

export class GeopackageCache implements TileCache {
  readonly file: string;
  readonly tableName: string;
  readonly lockCacheId: string;
  readonly supportsTimestamps = false;
  readonly isDummy = false;
  readonly wantsSingleColor = false;
  readonly #grid: TileGrid;
  readonly #db: SqliteFile;
  readonly #sql: {
    select: string;
    exists: string;
    insert: string;
    remove: string;
    removeLevel: string;
    count: string;
  };

  /** Throws `CacheError` (`CACHE_INVALID_OPTION`) for a table name MapProxy refuses. */
  constructor(options: GeopackageCacheOptions) {
    if (!isValidTableName(options.tableName)) {
      throw new CacheError(
        `The table_name ${options.tableName} contains unsupported characters.`,
        'CACHE_INVALID_OPTION',
      );
    }
    this.file = options.file;
    this.tableName = options.tableName;
    this.#grid = options.grid;
    this.lockCacheId = options.lockCacheId ?? `gpkg${lockCacheId(options.file)}`;
    const table = `[${options.tableName}]`;
    const where = 'WHERE tile_column = ? AND tile_row = ? AND zoom_level = ?';
    this.#sql = {
      select: `SELECT tile_data FROM ${table} ${where}`,
      exists: `SELECT 1 FROM ${table} ${where}`,
      insert: `INSERT OR REPLACE INTO ${table} (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)`,
      remove: `DELETE FROM ${table} ${where}`,
      removeLevel: `DELETE FROM ${table} WHERE zoom_level = ?`,
      count: `SELECT COUNT(*) AS n FROM ${table}`,
    };
    this.#db = new SqliteFile({
      file: options.file,
      timeoutMs: options.timeoutMs ?? 30_000,
      wal: options.wal ?? true,
      dirMode: options.dirMode,
      fileMode: options.fileMode,
      initialize: (db) => {
        this.#initialize(db);
      },
    });
  }

  /** With or without `withMetadata` this is the same lookup (dimensions are ignored, as MapProxy does). */
  async loadTile(coord: TileCoord): Promise<CachedTile | null> {
    const [tile] = await this.loadTiles([coord]);
    return tile ?? null;
  }

  async loadTiles(coords: readonly TileCoord[]): Promise<(CachedTile | null)[]> {
    try {
      const rows = await this.#db.read((db) => {
        const select = db.statement(this.#sql.select);
        return coords.map((c) => select.get(c.x, c.y, c.z) as { tile_data: Buffer } | undefined);
      });
      return coords.map((coord, i) => {
        const row = rows?.[i];
        if (row === undefined) return null;
        const data = Buffer.from(row.tile_data);
        return { coord, data, timestampMs: null, sizeBytes: data.length };
      });
    } catch (error) {
      throw this.#error('read', coords, error);
    }
  }

  async tileTimestamp(coord: TileCoord): Promise<number | null> {
    // GeoPackage keeps no tile times (MapProxy reports -1); 0 keeps "stored" apart from null
    return (await this.isCached(coord)) ? 0 : null;
  }

  async isCached(coord: TileCoord): Promise<boolean> {
    try {
      const row = await this.#db.read((db) => db.statement(this.#sql.exists).get(coord.x, coord.y, coord.z));
      return row !== undefined && row !== null;
    } catch (error) {
      throw this.#error('read', [coord], error);
    }
  }

  async storeTiles(tiles: readonly TileToStore[]): Promise<void> {
    if (tiles.length === 0) return;
    try {
      await this.#db.write((db) => {
        const insert = db.statement(this.#sql.insert);
        for (const { coord, data } of tiles) insert.run(coord.z, coord.x, coord.y, data);
      });
    } catch (error) {
      throw this.#error(
        'store',
        tiles.map((t) => t.coord),
        error,
      );
    }
  }

  async removeTile(coord: TileCoord): Promise<void> {
    try {
      await this.#db.write((db) => db.statement(this.#sql.remove).run(coord.x, coord.y, coord.z));
    } catch (error) {
      throw this.#error('remove', [coord], error);
    }
  }

  /**
   * MapProxy `GeopackageCache.remove_level_tiles_before`: every row of level `z` for 0; nothing
   * for another limit (a GeoPackage keeps no times). A missing file stays missing.
   */
  async removeLevelTilesBefore(z: number, limitSeconds: number): Promise<number> {
    if (limitSeconds !== 0) return 0;
    return this.#db.deleteLevelRows(this.#sql.removeLevel, z);
  }

  /** The number of tiles in the file (a level of a `levels: true` cache), 0 when there is none. */
  countTiles(): Promise<number> {
    return this.#db.countRows(this.#sql.count);
  }

  /** Deletes the whole file (a level of a `levels: true` cache); false when there was none. */
  deleteFile(): Promise<boolean> {
    return this.#db.deleteFile();
  }

  /** Closes the connection (it reopens on the next use). */
  close(): void {
    this.#db.close();
  }

  #error(what: 'read' | 'store' | 'remove', coords: readonly TileCoord[], cause: unknown): CacheError {
    if (cause instanceof CacheError) return cause;
    const first = coords[0];
    const tiles =
      coords.length === 1 && first !== undefined ? `tile ${tileName(first)}` : `${coords.length} tiles`;
    const message = `could not ${what} ${tiles} ${what === 'store' ? 'in' : 'from'} ${this.file}`;
    return new CacheError(message, what === 'read' ? 'CACHE_READ' : 'CACHE_WRITE', {
      cause,
      path: this.file,
    });
  }

  /** MapProxy's `check_gpkg`, then `_initialize_gpkg` when the table or its metadata is missing. */
  #initialize(db: SqliteDatabase): void {
    if (this.#verify(db)) return;
    const grid = this.#grid;
    const srsId = epsgNumber(grid.srs.code);
    db.exec(`
      CREATE TABLE IF NOT EXISTS gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
        identifier TEXT UNIQUE, description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
      CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
        organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
        description TEXT);
      CREATE TABLE IF NOT EXISTS gpkg_tile_matrix (table_name TEXT NOT NULL, zoom_level INTEGER NOT NULL,
        matrix_width INTEGER NOT NULL, matrix_height INTEGER NOT NULL, tile_width INTEGER NOT NULL,
        tile_height INTEGER NOT NULL, pixel_x_size DOUBLE NOT NULL, pixel_y_size DOUBLE NOT NULL,
        CONSTRAINT pk_ttm PRIMARY KEY (table_name, zoom_level),
        CONSTRAINT fk_tmm_table_name FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name));
      CREATE TABLE IF NOT EXISTS gpkg_tile_matrix_set (table_name TEXT NOT NULL PRIMARY KEY,
        srs_id INTEGER NOT NULL, min_x DOUBLE NOT NULL, min_y DOUBLE NOT NULL, max_x DOUBLE NOT NULL,
        max_y DOUBLE NOT NULL,
        CONSTRAINT fk_gtms_table_name FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gtms_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
      CREATE TABLE IF NOT EXISTS [${this.tableName}] (id INTEGER PRIMARY KEY AUTOINCREMENT,
        zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL,
        tile_data BLOB NOT NULL, UNIQUE (zoom_level, tile_column, tile_row));
    `);
    // a file that already is a GeoPackage (another version, other tables) keeps its id
    if (db.pragma('application_id', { simple: true }) === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
    const srs = db.prepare(
      'INSERT OR IGNORE INTO gpkg_spatial_ref_sys (srs_id, organization, organization_coordsys_id, srs_name, definition) VALUES (?, ?, ?, ?, ?)',
    );
    srs.run(3857, 'epsg', 3857, 'WGS 84 / Pseudo-Mercator', WKT_3857);
    srs.run(4326, 'epsg', 4326, 'WGS 84', WKT_4326);
    srs.run(-1, 'NONE', -1, ' ', 'undefined');
    srs.run(0, 'NONE', 0, ' ', 'undefined');
    if (srsId !== 3857 && srsId !== 4326)
      srs.run(srsId, 'epsg', srsId, 'Not provided', 'Added via Mapproxy.');
    const [minx, miny, maxx, maxy] = grid.bbox;
    db.prepare(
      'INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, min_x, max_x, min_y, max_y, srs_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(this.tableName, 'tiles', this.tableName, 'Created with Mapproxy.', minx, maxx, miny, maxy, srsId);
    db.prepare(
      'INSERT OR IGNORE INTO gpkg_tile_matrix_set (table_name, srs_id, min_x, max_x, min_y, max_y) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(this.tableName, srsId, minx, maxx, miny, maxy);
    const matrix = db.prepare(
      'INSERT OR REPLACE INTO gpkg_tile_matrix (table_name, zoom_level, matrix_width, matrix_height, tile_width, tile_height, pixel_x_size, pixel_y_size) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const [tileWidth, tileHeight] = grid.tileSize;
    grid.resolutions.slice(0, MATRIX_LEVELS).forEach((res, level) => {
      const [width, height] = grid.gridSizes[level] ?? [1, 1];
      matrix.run(this.tableName, level, width, height, tileWidth, tileHeight, res, res);
    });
  }

  /**
   * True when the table and its gpkg_contents entry exist and match the grid; throws `CacheError`
   * (`CACHE_INVALID_OPTION`) when they exist but do not (MapProxy refuses to start then).
   */
  #verify(db: SqliteDatabase): boolean {
    const table = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
      .get(this.tableName);
    if (table === undefined) return false;
    const hasContents = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gpkg_contents'")
      .get();
    if (hasContents === undefined) return false;
    const contents = db
      .prepare(
        'SELECT c.data_type, s.organization_coordsys_id FROM gpkg_contents c ' +
          'LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = c.srs_id WHERE c.table_name = ?',
      )
      .get(this.tableName) as ContentsRow | undefined;
    if (contents === undefined) return false;
    const invalid = (what: string): CacheError =>
      new CacheError(`${this.file} table ${this.tableName}: ${what}`, 'CACHE_INVALID_OPTION', {
        path: this.file,
      });
    if (contents.data_type.toLowerCase() !== 'tiles')
      throw invalid(`holds "${contents.data_type}", not tiles`);
    const srsId = epsgNumber(this.#grid.srs.code);
    if (contents.organization_coordsys_id !== srsId) {
      throw invalid(`has an SRS of ${String(contents.organization_coordsys_id)}, the grid has ${srsId}`);
    }
    // MapProxy `_verify_tile_size` compares the first tile matrix row
    const first = db
      .prepare('SELECT * FROM gpkg_tile_matrix WHERE table_name = ? LIMIT 1')
      .get(this.tableName) as MatrixRow | undefined;
    if (first === undefined) return true;
    const [width, height] = this.#grid.tileSize;
    if (first.tile_width !== width || first.tile_height !== height) {
      throw invalid(`has tiles of ${first.tile_width}x${first.tile_height}, the grid ${width}x${height}`);
    }
    const res = this.#grid.resolutions[first.zoom_level];
    if (res === undefined || !isClose(first.pixel_x_size, res) || !isClose(first.pixel_y_size, res)) {
      throw invalid(
        `level ${first.zoom_level} has a resolution of ${first.pixel_x_size}, the grid ${String(res)}`,
      );
    }
    return true;
  }
}
