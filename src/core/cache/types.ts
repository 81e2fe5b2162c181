/**
 * The tile-cache seam: what the TileManager asks of a storage backend (file layouts today;
 * mbtiles, redis, s3 later). Backends store encoded bytes and never decode them.
 */
import type { TileCoord } from '../grid/index.js';
import type { ImageResult, PilMode } from '../image/index.js';
import type { MapSource } from '../source/index.js';
import type { Freshness } from '../util/index.js';

/** Dimension values (`time`, `elevation`, `dim_*`) that select a sub-cache; empty for none. */
export type Dimensions = Readonly<Record<string, string>>;

/** A tile read from a cache: the bytes exactly as stored. */
export interface CachedTile {
  readonly coord: TileCoord;
  readonly data: Buffer;
  /** Last modification in ms since the epoch; null unless loaded `withMetadata`. */
  readonly timestampMs: number | null;
  /** Stored size in bytes. */
  readonly sizeBytes: number;
}

/** A tile to store: encoded bytes plus, optionally, its single colour (for `link_single_color_images`). */
export interface TileToStore {
  readonly coord: TileCoord;
  readonly data: Buffer;
  /**
   * `[r, g, b]` or `[r, g, b, a]` when every pixel has this colour, null when not, undefined
   * when unknown (the cache then stores the tile as a plain file).
   */
  readonly singleColor?: readonly number[] | null;
}

export interface LoadOptions {
  /** Also read the modification time (needed for `refresh_before` and HTTP caching headers). */
  readonly withMetadata?: boolean;
  readonly dimensions?: Dimensions;
}

export interface TileCache {
  /** Identifies the storage in lock file names (MapProxy `lock_cache_id`: md5 of the cache dir). */
  readonly lockCacheId: string;
  /** False for caches that keep no timestamps (then `refresh_before` recreates every tile). */
  readonly supportsTimestamps: boolean;
  /** True when nothing is ever stored (`disable_storage`); creation then needs no lock. */
  readonly isDummy: boolean;
  /** True when `link_single_color_images` is on, so creators should compute `singleColor`. */
  readonly wantsSingleColor: boolean;
  /** The stored tile, or null when it is not cached. Rejects with `CacheError` on I/O failures. */
  loadTile(coord: TileCoord, options?: LoadOptions): Promise<CachedTile | null>;
  /** `loadTile` for many tiles; the result has one entry per coord, in order. */
  loadTiles(coords: readonly TileCoord[], options?: LoadOptions): Promise<(CachedTile | null)[]>;
  /** Modification time (ms) of a stored tile, or null when it is not cached. */
  tileTimestamp(coord: TileCoord, dimensions?: Dimensions): Promise<number | null>;
  isCached(coord: TileCoord, dimensions?: Dimensions): Promise<boolean>;
  /** Stores all tiles; each write is atomic. Rejects with `CacheError` (`CACHE_WRITE`). */
  storeTiles(tiles: readonly TileToStore[], dimensions?: Dimensions): Promise<void>;
  /** Removes a tile; a missing tile is not an error. */
  removeTile(coord: TileCoord, dimensions?: Dimensions): Promise<void>;
  /**
   * Removes the tiles of level `z` stored before `limitSeconds` (s since the epoch; 0: every
   * tile) in one go, as MapProxy's `remove_level_tiles_before` does for a cleanup without a
   * coverage: whole level files or directories when `limitSeconds` is 0. A cache that keeps no
   * timestamps removes nothing for another limit (as MapProxy). Resolves with the number of
   * tiles removed, null when unknown. Absent: such cleanups walk the tiles.
   */
  removeLevelTilesBefore?(z: number, limitSeconds: number): Promise<number | null>;
  /**
   * Releases connections and open files (SQLite handles, Redis and S3 clients); a later call opens
   * them again. Absent for backends that hold nothing open between calls.
   */
  close?(): Promise<void> | void;
}

/** A source of a cache and how it is merged (`image.opacity` of the source). */
export interface TileSourceLayer {
  readonly source: MapSource;
  /** 0-1; applied when several sources are merged. */
  readonly opacity?: number | null | undefined;
}

/**
 * An external renderer that creates and stores tiles itself (MapProxy's renderd client,
 * `globals.renderd.address`): the creator asks it for a tile, then reads the cache.
 */
export interface TileRenderer {
  /**
   * Has `coord` (the main tile of its meta tile, in the grid's own origin) of `cacheIdentifier`
   * (`<cache>_<grid>`) rendered into the cache; resolves once it is stored. Priority 100 when
   * serving, 10 when seeding. Rejects with a `SourceError` when the renderer fails.
   */
  renderTile(cacheIdentifier: string, coord: TileCoord, priority: number): Promise<void>;
}

/** A tile as the TileManager hands it out: encoded bytes ready to send. */
export interface TileResult {
  readonly coord: TileCoord;
  /** Stored bytes unchanged on a hit; freshly encoded bytes on a miss. */
  readonly data: Buffer;
  /** Mime type of `data` (png or jpeg per tile for `mixed` caches). */
  readonly format: string;
  /** When the tile was stored (ms since epoch); null when unknown or not stored. */
  readonly timestampMs: number | null;
  /** False when clients must not cache the tile. */
  readonly cacheable: boolean;
  /**
   * True when the tile was created for this request. MapProxy then renders from the image in
   * memory, not from the stored (possibly JPEG) bytes.
   */
  readonly isCreated?: boolean;
  /**
   * A created tile's image before encoding (MapProxy's `ImageSource` keeps it beside the buffer):
   * maps drawn on the miss use it, not the lossy JPEG or quantised PNG `data`. Absent on hits. Lives
   * only as long as the result; waiters of one creation share it and must not change its pixels.
   */
  readonly image?: ImageResult;
  /**
   * A created tile's PIL mode in MapProxy: the mode of the source's answer it was cut from
   * (`SourceAnswer.pilMode`: RGBA for a sub image of a source's coverage, whatever the source's
   * transparency); null or absent where the cache's options decide (a merge, a filtered tile).
   */
  readonly pilMode?: PilMode | null;
  /**
   * Set on a tile served from the hot-tile cache: a response built from it stays right while this
   * is fresh (the server may answer the same URL again without asking the tile manager).
   */
  readonly freshness?: Freshness | undefined;
}
