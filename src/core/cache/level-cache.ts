/**
 * One cache file per level (MapProxy's MBTilesLevelCache for `type: sqlite`, `<dir>/<z>.mbtile`,
 * and GeopackageLevelCache for `levels: true`, `<dir>/<z>.gpkg`): every call goes to the level's own
 * cache, opened on first use and kept. Removing a whole level deletes its file.
 */
import type { TileCoord } from '../grid/index.js';
import type { CachedTile, Dimensions, LoadOptions, TileCache, TileToStore } from './types.js';

/** The cache of one level: a file that can be deleted as a whole. */
export interface LevelFileCache extends TileCache {
  /** Closes and deletes the level's file; false when there was none. */
  deleteFile(): Promise<boolean>;
  /** The number of tiles in the level's file, 0 when there is none. Rejects with `CacheError`. */
  countTiles(): Promise<number>;
}

export interface LevelCacheOptions {
  readonly lockCacheId: string;
  readonly supportsTimestamps: boolean;
  /** Creates the cache of level `z`; called once per level. */
  readonly level: (z: number) => LevelFileCache;
}

export class LevelCache implements TileCache {
  readonly lockCacheId: string;
  readonly supportsTimestamps: boolean;
  readonly isDummy = false;
  readonly wantsSingleColor = false;
  readonly #create: (z: number) => LevelFileCache;
  readonly #levels = new Map<number, LevelFileCache>();

  constructor(options: LevelCacheOptions) {
    this.lockCacheId = options.lockCacheId;
    this.supportsTimestamps = options.supportsTimestamps;
    this.#create = options.level;
  }

  /** Closes every level's file; the next use opens it again. */
  async close(): Promise<void> {
    const levels = [...this.#levels.values()];
    this.#levels.clear();
    for (const level of levels) await level.close?.();
  }

  /** The cache holding level `z`. */
  level(z: number): LevelFileCache {
    let cache = this.#levels.get(z);
    if (cache === undefined) {
      cache = this.#create(z);
      this.#levels.set(z, cache);
    }
    return cache;
  }

  loadTile(coord: TileCoord, options?: LoadOptions): Promise<CachedTile | null> {
    return this.level(coord.z).loadTile(coord, options);
  }

  async loadTiles(coords: readonly TileCoord[], options?: LoadOptions): Promise<(CachedTile | null)[]> {
    const results = new Array<CachedTile | null>(coords.length).fill(null);
    await Promise.all(
      [...groupByLevel(coords)].map(async ([z, indices]) => {
        const loaded = await this.level(z).loadTiles(
          indices.map((i) => coords[i] as TileCoord),
          options,
        );
        indices.forEach((index, j) => (results[index] = loaded[j] ?? null));
      }),
    );
    return results;
  }

  tileTimestamp(coord: TileCoord, dimensions?: Dimensions): Promise<number | null> {
    return this.level(coord.z).tileTimestamp(coord, dimensions);
  }

  isCached(coord: TileCoord, dimensions?: Dimensions): Promise<boolean> {
    return this.level(coord.z).isCached(coord, dimensions);
  }

  async storeTiles(tiles: readonly TileToStore[], dimensions?: Dimensions): Promise<void> {
    const byLevel = groupByLevel(tiles.map((t) => t.coord));
    await Promise.all(
      [...byLevel].map(([z, indices]) =>
        this.level(z).storeTiles(
          indices.map((i) => tiles[i] as TileToStore),
          dimensions,
        ),
      ),
    );
  }

  removeTile(coord: TileCoord, dimensions?: Dimensions): Promise<void> {
    return this.level(coord.z).removeTile(coord, dimensions);
  }

  /**
   * MapProxy `remove_level_tiles_before` of the level caches: for 0 the level's file goes (with
   * its `-wal`/`-shm`), otherwise the level's own cache removes what is older. Other processes
   * that have the file open notice and reopen (see SqliteFile).
   */
  async removeLevelTilesBefore(z: number, limitSeconds: number): Promise<number | null> {
    const level = this.level(z);
    if (limitSeconds !== 0) return (await level.removeLevelTilesBefore?.(z, limitSeconds)) ?? null;
    // counted before the file goes, for the cleanup's "N removed" (MapProxy prints no count; we
    // printed 0); a file that cannot be read is deleted all the same
    const count = await level.countTiles().catch(() => null);
    await level.deleteFile();
    return count;
  }
}

function groupByLevel(coords: readonly TileCoord[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  coords.forEach((coord, i) => {
    const group = groups.get(coord.z);
    if (group === undefined) groups.set(coord.z, [i]);
    else group.push(i);
  });
  return groups;
}
