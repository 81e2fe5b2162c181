/**
 * The tiles a seeding run left in a directory, by key, for the seeding differential: file layouts
 * by relative path (symlinks marked), SQLite-family files (mbtiles, sqlite levels, geopackage) and
 * compact bundles (v1, v2) by the tile keys inside. Metadata tables and lock files are not tiles.
 */
import { lstat, open, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';

export interface StoredTile {
  readonly data: Buffer;
  /** mtime in ms of a file-layout tile (SQLite and compact tiles: null). */
  readonly mtimeMs: number | null;
  /** A symlink's target, relative to the cache root (`link_single_color_images`). */
  readonly link?: string;
}

/** Every tile under `dir`, by key (`path`, `file#table/z/x/y`, `bundle@x/y`). */
export async function readTiles(dir: string): Promise<Map<string, StoredTile>> {
  const tiles = new Map<string, StoredTile>();
  for (const file of await walk(dir)) {
    const rel = relative(dir, file);
    if (/\.(lck|lock)$|\/\.|\.(wal|shm)$|-(wal|shm|journal)$|\.bundlx$|\.defrag$/.test(rel)) continue;
    const stat = await lstat(file);
    if (stat.isSymbolicLink()) {
      const target = await readlink(file);
      const resolved = target.startsWith('/') ? target : join(file, '..', target);
      const data = await readFile(file).catch(() => Buffer.alloc(0));
      tiles.set(rel, { data, mtimeMs: stat.mtimeMs, link: relative(dir, resolved) });
      continue;
    }
    if (rel.endsWith('.bundle')) {
      for (const [key, data] of await readBundle(file)) tiles.set(`${rel}@${key}`, { data, mtimeMs: null });
      continue;
    }
    const head = await readHead(file, 16);
    if (head.toString('latin1') === 'SQLite format 3\0') {
      for (const [key, data] of readSqlite(file)) tiles.set(`${rel}#${key}`, { data, mtimeMs: null });
      continue;
    }
    if (/\.(png|jpe?g|gif|tiff?)$/i.test(rel)) {
      tiles.set(rel, { data: await readFile(file), mtimeMs: stat.mtimeMs });
    }
  }
  return tiles;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!/\.(lck|lock)$/.test(entry.name)) out.push(...(await walk(path)));
    } else out.push(path);
  }
  return out.sort();
}

async function readHead(file: string, n: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Tiles of every table with MBTiles/GeoPackage tile columns, as `table/z/x/y`. */
function readSqlite(file: string): [string, Buffer][] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const out: [string, Buffer][] = [];
    for (const name of tileTables(db, true)) {
      // MBTiles' `tiles` is a view over `map`/`images` in some writers; a table named tiles is enough here
      const rows = db
        .prepare(`SELECT zoom_level z, tile_column x, tile_row y, tile_data d FROM "${name}"`)
        .all() as { z: number; x: number; y: number; d: Buffer | null }[];
      for (const r of rows) out.push([`${name}/${r.z}/${r.x}/${r.y}`, r.d ?? Buffer.alloc(0)]);
    }
    return out;
  } finally {
    db.close();
  }
}

/** Tiles in a compact bundle, as `x/y` within the bundle (v1 with its `.bundlx`, v2 alone). */
async function readBundle(file: string): Promise<[string, Buffer][]> {
  const bundle = await readFile(file);
  const out: [string, Buffer][] = [];
  const index = await readFile(file.replace(/\.bundle$/, '.bundlx')).catch(() => null);
  if (index !== null) {
    // v1: .bundlx holds 5-byte offsets (x-major) into the bundle, where a 4-byte size leads the tile
    for (let x = 0; x < 128; x++) {
      for (let y = 0; y < 128; y++) {
        const at = 16 + (x * 128 + y) * 5;
        const offset = index.readUIntLE(at, 5);
        if (offset + 4 > bundle.length) continue;
        const size = bundle.readUInt32LE(offset);
        if (size > 0) out.push([`${x}/${y}`, bundle.subarray(offset + 4, offset + 4 + size)]);
      }
    }
    return out;
  }
  // v2: 64-byte header, then 8 bytes a tile (size in the top 24 bits, offset in the low 40), y-major
  for (let y = 0; y < 128; y++) {
    for (let x = 0; x < 128; x++) {
      const value = bundle.readBigUInt64LE(64 + (x + 128 * y) * 8);
      const size = Number(value >> 40n);
      if (size === 0) continue;
      const offset = Number(value & 0xffffffffffn);
      out.push([`${x}/${y}`, bundle.subarray(offset, offset + size)]);
    }
  }
  return out;
}

/**
 * What the SQLite files and compact bundles under `dir` hold, for undoing a request's writes: the
 * tile keys of every SQLite tile table (`table` -> `z/x/y`) and the bytes of every bundle and
 * bundle index, by path relative to `dir`.
 */
export interface StoreSnapshot {
  readonly sqlite: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>;
  readonly bundles: ReadonlyMap<string, Buffer>;
}

export async function snapshotStores(dir: string): Promise<StoreSnapshot> {
  const sqlite = new Map<string, Map<string, Set<string>>>();
  const bundles = new Map<string, Buffer>();
  for (const file of await walk(dir)) {
    const rel = relative(dir, file);
    if (/\.(bundle|bundlx)$/.test(rel)) {
      bundles.set(rel, await readFile(file));
      continue;
    }
    if (/\.(lck|lock)$|\/\.|\.(wal|shm)$|-(wal|shm|journal)$|\.defrag$/.test(rel)) continue;
    if ((await readHead(file, 16)).toString('latin1') !== 'SQLite format 3\0') continue;
    const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 10_000 });
    try {
      const tables = new Map<string, Set<string>>();
      for (const name of tileTables(db)) {
        const rows = db.prepare(`SELECT zoom_level z, tile_column x, tile_row y FROM "${name}"`).all() as {
          z: number;
          x: number;
          y: number;
        }[];
        tables.set(name, new Set(rows.map((r) => `${r.z}/${r.x}/${r.y}`)));
      }
      sqlite.set(rel, tables);
    } finally {
      db.close();
    }
  }
  return { sqlite, bundles };
}

/**
 * Undoes what was written into the SQLite files and bundles of `before` since it was taken: rows
 * whose key it did not hold are deleted, bundles and indexes get their bytes back (files that are
 * new since are not touched: the runner removes new files itself). Whether anything was undone.
 */
export async function restoreStores(dir: string, before: StoreSnapshot): Promise<boolean> {
  let undone = false;
  for (const [rel, tables] of before.sqlite) {
    const file = join(dir, rel);
    const exists = await lstat(file).then(
      () => true,
      () => false,
    );
    if (!exists) continue;
    const db = new Database(file, { fileMustExist: true, timeout: 10_000 });
    try {
      for (const name of tileTables(db)) {
        const kept = tables.get(name) ?? new Set<string>();
        const rows = db.prepare(`SELECT zoom_level z, tile_column x, tile_row y FROM "${name}"`).all() as {
          z: number;
          x: number;
          y: number;
        }[];
        const remove = db.prepare(
          `DELETE FROM "${name}" WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?`,
        );
        const added = rows.filter((r) => !kept.has(`${r.z}/${r.x}/${r.y}`));
        db.transaction(() => {
          for (const r of added) remove.run(r.z, r.x, r.y);
        })();
        undone ||= added.length > 0;
      }
    } finally {
      db.close();
    }
  }
  for (const [rel, bytes] of before.bundles) {
    const file = join(dir, rel);
    const now = await readFile(file).catch(() => null);
    if (now !== null && !now.equals(bytes)) {
      await writeFile(file, bytes);
      undone = true;
    }
  }
  return undone;
}

/** The tables (and with `views`, views) of an open SQLite file with MBTiles/GeoPackage tile columns. */
function tileTables(db: Database.Database, views = false): string[] {
  const types = views ? "('table', 'view')" : "('table')";
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type IN ${types}`).all() as {
    name: string;
  }[];
  return tables
    .map((t) => t.name)
    .filter((name) => {
      const columns = (db.prepare(`PRAGMA table_info("${name}")`).all() as { name: string }[]).map(
        (c) => c.name,
      );
      return ['zoom_level', 'tile_column', 'tile_row', 'tile_data'].every((c) => columns.includes(c));
    });
}
