/**
 * What a cache directory holds, for comparing caches with MapProxy's: its files (without lock
 * and SQLite journal files) and the tiles per level of each SQLite file and compact bundle.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readBundle } from '../../src/core/cache/compact-cache.js';

export interface CacheState {
  /** Paths relative to the cache directory, sorted. */
  readonly files: readonly string[];
  /** Per SQLite file: tiles per zoom level (`{"2": 16}`); per bundle: `{"tiles": n}`. */
  readonly tiles: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

const IGNORED = /(^|\/)tile_locks\/|\.lck$|\.lock(\/|$)|-(wal|shm|journal)$/;

function sqliteTiles(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const counts: Record<string, number> = {};
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%tile_data%' AND name NOT LIKE 'gpkg%'")
      .all() as { name: string }[];
    for (const { name } of tables) {
      const rows = db
        .prepare(`SELECT zoom_level AS z, count(*) AS n FROM "${name}" GROUP BY zoom_level`)
        .all() as { z: number; n: number }[];
      for (const { z, n } of rows) counts[String(z)] = (counts[String(z)] ?? 0) + n;
    }
    return counts;
  } finally {
    db.close();
  }
}

/** The state of the cache directory `base` (empty when it does not exist). */
export async function cacheState(base: string): Promise<CacheState> {
  const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(base.length + 1))
    .filter((p) => !IGNORED.test(p))
    .sort();
  const tiles: Record<string, Record<string, number>> = {};
  for (const file of files) {
    if (/\.(mbtiles?|gpkg)$/.test(file)) tiles[file] = sqliteTiles(join(base, file));
    if (/\.bundle$/.test(file)) {
      const version = file.includes('c1/') ? 1 : 2;
      const contents = await readBundle(join(base, file).slice(0, -'.bundle'.length), version);
      tiles[file] = { tiles: contents?.tiles.length ?? 0 };
    }
  }
  return { files, tiles };
}
