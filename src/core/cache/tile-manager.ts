/**
 * The tile pipeline of one cache and grid (MapProxy `cache/tile.py` `TileManager`): cache hits,
 * misses and stale tiles, grouped into meta-tile creation jobs for the `TileCreator`.
 */
import {
  createMetaGrid,
  limitTile,
  metaTile,
  minimalMetaTile,
  type MetaGrid,
  type TileCoord,
  type TileGrid,
} from '../grid/index.js';
import type { ImageFormatOptions, ImageResult } from '../image/index.js';
import { getLogger, metrics, type Freshness, type Gate, type Size } from '../util/index.js';
import { mapLimit } from './concurrency.js';
import { CacheError } from './errors.js';
import type { HotTiles } from './hot-tiles.js';
import type { TileLockBackend } from './lock.js';
import { isStale, refreshLimitSeconds, type RefreshBefore } from './refresh-before.js';
import { rescaleTile, type RescaleContext } from './rescale.js';
import { coordKey, jobTiles, TileCreator, type CreationJob, type CreationRequest } from './tile-creator.js';
import { storedTileFormat } from './tile-format.js';
import type {
  CachedTile,
  Dimensions,
  TileCache,
  TileRenderer,
  TileResult,
  TileSourceLayer,
} from './types.js';

export interface TileManagerOptions {
  readonly grid: TileGrid;
  readonly cache: TileCache;
  /** Merged bottom → top. Empty: a read-only cache (only what is stored is served). */
  readonly sources: readonly TileSourceLayer[];
  /** Encoding of stored tiles (the cache's `format` and `image` options). */
  readonly imageOptions: ImageFormatOptions;
  /** Mime type asked from sources (`request_format`); default the cache format (`image/png` for mixed). */
  readonly requestFormat?: string | undefined;
  /** Cross-process creation locks; null or omitted: none (always so for `disable_storage`). */
  readonly locker?: TileLockBackend | null | undefined;
  /** Default `[4, 4]`. */
  readonly metaSize?: Size | undefined;
  /** Default 80. */
  readonly metaBuffer?: number | undefined;
  readonly minimizeMetaRequests?: boolean | undefined;
  readonly bulkMetaTiles?: boolean | undefined;
  /** Parallel creations per `loadTiles` call; default 2. */
  readonly concurrentTileCreators?: number | undefined;
  readonly refreshBefore?: RefreshBefore | null | undefined;
  /** Build tiles no source can provide from up to this many coarser levels. */
  readonly upscaleTiles?: number | undefined;
  /** Build tiles no source can provide from up to this many finer levels. */
  readonly downscaleTiles?: number | undefined;
  /** Store tiles built by up/downscaling. */
  readonly cacheRescaledTiles?: boolean | undefined;
  /** Name for log messages, MapProxy's `<cache>_<grid>`. */
  readonly identifier?: string | undefined;
  /** Applied to every created tile before it is stored (MapProxy tile filters: `watermark`). */
  readonly tileFilter?: ((coord: TileCoord, image: ImageResult) => Promise<ImageResult>) | undefined;
  /** `globals.renderd`: an external renderer creates missing tiles (not for `disable_storage`). */
  readonly renderer?: TileRenderer | undefined;
  /** Clock in ms since the epoch (tests inject one). */
  readonly now?: (() => number) | undefined;
  /**
   * The process's hot-tile cache (`globals.cache.hot_tiles`), shared by every manager; null or
   * omitted: every hit reads the backend.
   */
  readonly hotTiles?: HotTiles | null | undefined;
  /** Receives warnings (failed writes, stale tiles served); default the `mapproxy.cache.tile` logger. */
  readonly onWarning?: ((message: string) => void) | undefined;
}

export interface LoadTilesOptions {
  /** Read modification times of cached tiles (for Last-Modified). */
  readonly withMetadata?: boolean | undefined;
  readonly dimensions?: Dimensions | undefined;
  /** Seeding: forwarded to sources (`seed_only`), and `minimize_meta_requests` is off. */
  readonly isSeeding?: boolean | undefined;
  /**
   * Tell sources otherwise than `isSeeding` (`export` without `--fetch-missing-tiles`: its
   * `seed_only` sources stay offline, as MapProxy's export loads the configuration unseeded).
   */
  readonly sourcesSeeding?: boolean | undefined;
  /**
   * Seed tasks' `refresh_before` limit (s since the epoch; tiles with `int(mtime) <= limit` are
   * stale). The cache's own `refresh_before` wins when both are set, as in MapProxy.
   */
  readonly staleLimitSeconds?: number | null | undefined;
  /** Source queries of the creations wait for a slot here (see `CreationRequest.sourceGate`). */
  readonly sourceGate?: Pick<Gate, 'run'> | undefined;
  /** The caller uses only the tiles' bytes (tile services): see `CreationRequest.bytesOnly`. */
  readonly bytesOnly?: boolean | undefined;
  /**
   * Seeding that reads none of the created tiles' bytes (`CreationRequest.storesOnly`): a tile
   * stored by its creation comes back as null, not read back from the cache.
   */
  readonly storesOnly?: boolean | undefined;
}

const log = getLogger('mapproxy.cache.tile');
let nextManagerId = 0;

/** How missing tiles are created, decided once from the options and the sources (MapProxy's rules). */
type CreationMode =
  { readonly kind: 'single' } | { readonly kind: 'meta' | 'bulk'; readonly metaGrid: MetaGrid };

export class TileManager {
  readonly grid: TileGrid;
  readonly cache: TileCache;
  readonly imageOptions: ImageFormatOptions;
  readonly identifier: string;
  readonly #sources: readonly TileSourceLayer[];
  readonly #mode: CreationMode;
  readonly #creator: TileCreator;
  readonly #minimize: boolean;
  readonly #concurrency: number;
  readonly #refreshBefore: RefreshBefore | null;
  readonly #rescaleLevels: number;
  readonly #cacheRescaled: boolean;
  readonly #now: () => number;
  readonly #warn: (message: string) => void;
  readonly #hot: HotTiles | null;
  /** Unique per manager: identifiers repeat across configurations (and tests). */
  readonly #hotPrefix = `${String(nextManagerId++)}/`;

  /** Throws `CacheError` (`CACHE_INVALID_OPTION`) for option combinations MapProxy rejects. */
  constructor(options: TileManagerOptions) {
    this.grid = options.grid;
    this.cache = options.cache;
    this.imageOptions = options.imageOptions;
    this.identifier = options.identifier ?? 'cache';
    this.#sources = options.sources;
    this.#minimize = options.minimizeMetaRequests ?? false;
    this.#concurrency = Math.max(1, options.concurrentTileCreators ?? 2);
    this.#refreshBefore = options.refreshBefore ?? null;
    this.#now = options.now ?? Date.now;
    this.#hot =
      options.hotTiles !== undefined && options.hotTiles !== null && options.hotTiles.maxBytes > 0
        ? options.hotTiles
        : null;
    const logger = options.onWarning === undefined ? getLogger('mapproxy.cache.tile') : null;
    this.#warn = options.onWarning ?? ((message) => logger?.warn(message));
    const up = options.upscaleTiles ?? 0;
    const down = options.downscaleTiles ?? 0;
    if (up < 0 || down < 0)
      throw new CacheError('upscale_tiles/downscale_tiles must be positive', 'CACHE_INVALID_OPTION');
    if (up > 0 && down > 0) {
      throw new CacheError('cannot use both upscale_tiles and downscale_tiles', 'CACHE_INVALID_OPTION');
    }
    this.#rescaleLevels = up > 0 ? -up : down;
    this.#cacheRescaled = options.cacheRescaledTiles ?? false;
    this.#mode = creationMode(options);
    const requestFormat =
      options.requestFormat ??
      (options.imageOptions.format === 'mixed' ? 'image/png' : options.imageOptions.format);
    this.#creator = new TileCreator({
      grid: options.grid,
      cache: options.cache,
      sources: options.sources,
      imageOptions: options.imageOptions,
      requestFormat,
      locker: options.cache.isDummy ? null : (options.locker ?? null),
      concurrentTileCreators: this.#concurrency,
      now: this.#now,
      warn: this.#warn,
      tileFilter: options.tileFilter,
      // MapProxy: "can't ask renderd to create tiles that shouldn't be cached"
      renderer: options.cache.isDummy ? undefined : options.renderer,
      identifier: this.identifier,
      onCreated: (count) => {
        metrics.tilesCreated(this.identifier, count);
      },
    });
  }

  /** Creations running in this process right now. */
  get runningCreations(): number {
    return this.#creator.runningCount;
  }

  /** `loadTiles` for one tile. */
  async loadTile(coord: TileCoord, options: LoadTilesOptions = {}): Promise<TileResult | null> {
    const [tile] = await this.loadTiles([coord], options);
    return tile ?? null;
  }

  /**
   * The tiles at `coords` (grid origin), one entry per coord in order: cached bytes unchanged on a
   * hit; created from the sources on a miss or when stale (`refresh_before`). null where the coord
   * is outside the grid or no source has anything there. Rejects with the source's error when a
   * tile cannot be created and no stale copy exists, or with `CacheError` (`CACHE_LOCK_TIMEOUT`,
   * `CACHE_READ`).
   */
  async loadTiles(
    coords: readonly TileCoord[],
    options: LoadTilesOptions = {},
  ): Promise<(TileResult | null)[]> {
    const dimensions = options.dimensions ?? {};
    const staleLimitSeconds = await this.#staleLimit(options.staleLimitSeconds);
    const request: CreationRequest = {
      dimensions,
      isSeeding: options.isSeeding ?? false,
      sourcesSeeding: options.sourcesSeeding,
      staleLimitSeconds,
      sourceGate: options.sourceGate,
      bytesOnly: options.bytesOnly,
      storesOnly: options.storesOnly,
    };
    const results = new Map<string, TileResult | null>();
    const stale = new Map<string, TileResult>();

    // 1. read every grid tile from the hot tiles or the cache, bytes as stored; the hot tiles are
    // skipped where staleness is checked (refresh_before, seeding), as that needs a fresh mtime
    const valid = uniqueCoords(coords.map((c) => limitTile(this.grid, c)));
    const withMetadata = (options.withMetadata ?? false) || staleLimitSeconds !== null;
    const hot = staleLimitSeconds === null && options.isSeeding !== true ? this.#hot : null;
    const toRead = hot === null ? valid : await this.#readHot(hot, valid, dimensions, withMetadata, results);
    const cached =
      toRead.length === 0 ? [] : await this.cache.loadTiles(toRead, { withMetadata, dimensions });

    // 2. sort out misses, and stale tiles that are kept as a fallback for source errors
    const missing: TileCoord[] = [];
    toRead.forEach((coord, i) => {
      const tile = cached[i] ?? null;
      if (tile === null) {
        missing.push(coord);
        return;
      }
      const result = this.#hit(tile);
      // only tiles read with their mtime are kept: a hot tile must serve Last-Modified requests too
      if (hot !== null && withMetadata) {
        // a backend without timestamps cannot tell that a tile is unchanged: it just expires. The
        // closure keeps this call's whole context alive with the hot entry (`cached`, `results`):
        // free while the entry holds the read bytes themselves, but a hot copy of them doubled the
        // hot tiles (issue 13: +11 MB main arena on tms-hit); build it outside this function then
        const recheck =
          result.timestampMs === null ? undefined : () => this.#isUnchanged(coord, dimensions, result);
        hot.set(this.#hotKey(coord, dimensions), result, recheck);
      }
      if (staleLimitSeconds !== null && isStaleTile(tile, staleLimitSeconds, this.cache)) {
        stale.set(coordKey(coord), result);
        missing.push(coord);
      } else {
        results.set(coordKey(coord), result);
      }
    });

    metrics.cacheHits(this.identifier, results.size);
    metrics.cacheMisses(this.identifier, missing.length);
    if (log.isEnabled('debug')) {
      for (const key of results.keys()) log.debug(`${this.identifier}: hit ${key}`);
      for (const coord of missing) {
        log.debug(`${this.identifier}: ${stale.has(coordKey(coord)) ? 'stale' : 'miss'} ${coordKey(coord)}`);
      }
    }
    if (missing.length > 0) {
      // 3. group misses into creation jobs; 4. run them, serving stale copies when creation fails
      const jobs = this.#jobs(missing, request);
      const created = await mapLimit(jobs, this.#concurrency, (job) =>
        this.#runJob(job, missing, request, stale),
      );
      for (const tiles of created) for (const [key, tile] of tiles) results.set(key, tile);
      this.#dropHot(jobs.flatMap(jobTiles), dimensions);
      // 5. build tiles nothing could create from other levels (upscale_tiles/downscale_tiles)
      if (this.#rescaleLevels !== 0) await this.#rescaleMissing(missing, results, request);
    }
    return coords.map((coord) => results.get(coordKey(coord)) ?? null);
  }

  /**
   * True when the tile is stored and not stale (`refresh_before`), MapProxy `is_cached`.
   * Rejects with `CacheError` on I/O failures.
   */
  async isCached(
    coord: TileCoord,
    dimensions?: Dimensions,
    staleLimitSeconds?: number | null,
  ): Promise<boolean> {
    const limit = await this.#staleLimit(staleLimitSeconds);
    if (limit === null) return this.cache.isCached(coord, dimensions);
    const timestampMs = await this.cache.tileTimestamp(coord, dimensions);
    if (timestampMs === null) return false;
    if (!this.cache.supportsTimestamps) return false;
    return !isStale(timestampMs, limit);
  }

  /**
   * `[columns, rows]` of the meta tiles this manager creates with one request (`[1, 1]` when it
   * creates single tiles): the step of MapProxy's seed walk.
   */
  get metaSize(): Size {
    return this.#mode.kind === 'single' ? [1, 1] : this.#mode.metaGrid.metaSize;
  }

  /**
   * True when tiles read with their mtime (`withMetadata`) are kept in the hot-tile cache
   * (`globals.cache.hot_tiles` on), so that later reads of them need no cache backend.
   */
  get keepsHotTiles(): boolean {
    return this.#hot !== null;
  }

  /**
   * Whether a tile just created carries an alpha channel before it is encoded (MapProxy hands a
   * lone such tile on as its PIL image): one source's image comes as the source answers it, a band
   * merge's `rgba` is the merger's mode; several sources are merged onto the cache's own canvas.
   */
  get createsTilesWithAlpha(): boolean {
    const [only, ...others] = this.#sources;
    return only !== undefined && others.length === 0
      ? only.source.isTransparent
      : this.imageOptions.transparent;
  }

  /** True when `upscale_tiles`/`downscale_tiles` is set (the seeder then works tile by tile). */
  get rescalesTiles(): boolean {
    return this.#rescaleLevels !== 0;
  }

  async #staleLimit(override: number | null | undefined): Promise<number | null> {
    if (this.#refreshBefore !== null) return refreshLimitSeconds(this.#refreshBefore, this.#now());
    return override ?? null;
  }

  /** Removes stored tiles; missing ones are fine. */
  async removeTiles(coords: readonly TileCoord[], dimensions?: Dimensions): Promise<void> {
    await Promise.all(coords.map((coord) => this.cache.removeTile(coord, dimensions)));
    this.#dropHot(coords, dimensions ?? {});
  }

  /**
   * Forgets the hot copies of tiles this process just stored or removed (a meta tile rewrites
   * all its tiles, the requested ones and the rest): their next hit reads the new file.
   */
  #dropHot(coords: readonly TileCoord[], dimensions: Dimensions): void {
    if (this.#hot !== null) for (const coord of coords) this.#hot.delete(this.#hotKey(coord, dimensions));
  }

  /** Forgets the tiles of the shared hot-tile cache: its configuration was replaced or closed. */
  releaseHotTiles(): void {
    this.#hot?.clear();
  }

  /**
   * Moves the hot tiles among `coords` into `results` (without their mtime unless `withMetadata`,
   * as a backend read would answer) and returns the coords still to be read. A tile past its TTL
   * is served when the backend's timestamp of it is unchanged.
   */
  async #readHot(
    hot: HotTiles,
    coords: readonly TileCoord[],
    dimensions: Dimensions,
    withMetadata: boolean,
    results: Map<string, TileResult | null>,
  ): Promise<TileCoord[]> {
    const toRead: TileCoord[] = [];
    const toCheck: { coord: TileCoord; key: string; tile: TileResult }[] = [];
    // with its mtime the tile is as a tile service answers it: the freshness goes up with it
    const found = (coord: TileCoord, tile: TileResult, freshness: Freshness | undefined): void => {
      results.set(
        coordKey(coord),
        withMetadata
          ? { ...tile, freshness: freshness === undefined ? undefined : this.#countedReuse(freshness, coord) }
          : { ...tile, timestampMs: null },
      );
    };
    for (const coord of coords) {
      const key = this.#hotKey(coord, dimensions);
      const entry = hot.lookup(key);
      if (entry === undefined) toRead.push(coord);
      else if (entry.isFresh) found(coord, entry.tile, entry.freshness);
      else toCheck.push({ coord, key, tile: entry.tile });
    }
    if (toCheck.length === 0) return toRead;
    const unchanged = await Promise.all(
      toCheck.map(({ coord, tile }) => this.#isUnchanged(coord, dimensions, tile)),
    );
    toCheck.forEach(({ coord, key, tile }, i) => {
      if (unchanged[i] === true) {
        found(coord, tile, hot.renew(key));
      } else {
        hot.delete(key);
        toRead.push(coord);
      }
    });
    return toRead;
  }

  /** Whether the backend still holds `tile` as it was read: the same timestamp. */
  async #isUnchanged(coord: TileCoord, dimensions: Dimensions, tile: TileResult): Promise<boolean> {
    return (
      tile.timestampMs !== null && (await this.cache.tileTimestamp(coord, dimensions)) === tile.timestampMs
    );
  }

  /**
   * `freshness` as handed up with a hot tile: a response built from it and given again is a hit
   * of this cache like any other, counted and (with debug logging) logged.
   */
  #countedReuse(freshness: Freshness, coord: TileCoord): Freshness {
    return {
      isFresh: () => {
        if (!freshness.isFresh()) return false;
        metrics.cacheHits(this.identifier, 1);
        if (log.isEnabled('debug')) log.debug(`${this.identifier}: hit ${coordKey(coord)}`);
        return true;
      },
    };
  }

  /** The hot-tile key: this manager (cache and grid), the tile and its dimension values. */
  #hotKey(coord: TileCoord, dimensions: Dimensions): string {
    const key = `${this.#hotPrefix}${coordKey(coord)}`;
    const values = Object.entries(dimensions);
    return values.length === 0 ? key : `${key}?${JSON.stringify(values.sort())}`;
  }

  #hit(tile: CachedTile): TileResult {
    return {
      coord: tile.coord,
      data: tile.data,
      format: storedTileFormat(tile.data, this.imageOptions.format),
      timestampMs: tile.timestampMs,
      cacheable: true,
    };
  }

  /** MapProxy `create_tiles`: single tiles, one minimal meta tile, or one job per distinct meta tile. */
  #jobs(missing: readonly TileCoord[], request: CreationRequest): CreationJob[] {
    if (this.#sources.length === 0) return [];
    const mode = this.#mode;
    if (mode.kind === 'single') {
      return missing.map((coord) => ({
        kind: 'single',
        key: `tile:${coordKey(coord)}`,
        lockCoord: coord,
        coord,
      }));
    }
    const first = missing[0];
    if (
      mode.kind === 'meta' &&
      this.#minimize &&
      !request.isSeeding &&
      missing.length > 1 &&
      first !== undefined
    ) {
      // minimize_meta_requests: only for multi-tile requests (not TMS), one request for all misses
      const sameLevel = missing.filter((c) => c.z === first.z);
      const meta = minimalMetaTile(mode.metaGrid, sameLevel);
      const lockCoord = metaTile(mode.metaGrid, meta.mainTile).mainTile;
      const jobs: CreationJob[] = [
        { kind: 'meta', key: `min:${meta.bbox.join(',')}`, lockCoord, metaTile: meta },
      ];
      const rest = missing.filter((c) => c.z !== first.z);
      return rest.length === 0 ? jobs : [...jobs, ...this.#jobs(rest, request)];
    }
    const jobs = new Map<string, CreationJob>();
    for (const coord of missing) {
      const meta = metaTile(mode.metaGrid, coord);
      const key = `${mode.kind}:${coordKey(meta.mainTile)}`;
      if (!jobs.has(key)) jobs.set(key, { kind: mode.kind, key, lockCoord: meta.mainTile, metaTile: meta });
    }
    return [...jobs.values()];
  }

  /**
   * Runs one job and returns the tiles it produced that this request asked for. On failure every
   * requested tile of the job that has a stale copy is served from it (STYLE 5); otherwise the
   * error propagates unchanged.
   */
  async #runJob(
    job: CreationJob,
    missing: readonly TileCoord[],
    request: CreationRequest,
    stale: ReadonlyMap<string, TileResult>,
  ): Promise<Map<string, TileResult | null>> {
    const wanted = new Set(missing.map(coordKey));
    const mine = jobTiles(job).filter((c) => wanted.has(coordKey(c)));
    try {
      const created = await this.#creator.create(job, request);
      if (created === 'stored') {
        // every tile of the job is stored; a seed wants no bytes, so none is read back (null
        // also keeps them from being rescaled from other levels as tiles nothing created)
        if (request.storesOnly === true) return new Map(mine.map((coord) => [coordKey(coord), null]));
        return await this.#loadStored(mine, request.dimensions);
      }
      const result = new Map<string, TileResult | null>();
      for (const coord of mine) {
        const key = coordKey(coord);
        const tile = created.get(key);
        if (tile !== undefined) result.set(key, tile);
      }
      return result;
    } catch (error) {
      const fallback = mine.map((c) => stale.get(coordKey(c)));
      if (mine.length === 0 || fallback.some((t) => t === undefined)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      this.#warn(`${this.identifier}: serving stale tiles, could not recreate them: ${reason}`);
      return new Map(fallback.map((t) => [coordKey((t as TileResult).coord), t as TileResult]));
    }
  }

  /** The tiles of `coords` another process stored while this one waited for the lock. */
  async #loadStored(coords: readonly TileCoord[], dimensions: Dimensions): Promise<Map<string, TileResult>> {
    const loaded = await this.cache.loadTiles(coords, { withMetadata: true, dimensions });
    return new Map(
      loaded.flatMap((tile) => (tile === null ? [] : [[coordKey(tile.coord), this.#hit(tile)]])),
    );
  }

  async #rescaleMissing(
    missing: readonly TileCoord[],
    results: Map<string, TileResult | null>,
    request: CreationRequest,
  ): Promise<void> {
    const unresolved = missing.filter((c) => !results.has(coordKey(c)));
    if (unresolved.length === 0) return;
    const context: RescaleContext = {
      grid: this.grid,
      imageOptions: this.imageOptions,
      levels: this.#rescaleLevels,
      // rescaling draws the tiles it loads, also those a seed creates on other levels
      load: (coords) => this.#loadTilesNoRescale(coords, { ...request, bytesOnly: false, storesOnly: false }),
      memo: new Map(),
    };
    for (const coord of unresolved) {
      const tile = await rescaleTile(context, coord);
      if (tile === null) continue;
      results.set(coordKey(coord), tile);
      if (this.#cacheRescaled && !this.cache.isDummy) {
        try {
          await this.cache.storeTiles([{ coord, data: tile.data }], request.dimensions);
        } catch (error) {
          this.#warn(
            `could not store rescaled tile: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    }
  }

  /** Cached or created tiles without the rescale step (the rescaler's own lookups). */
  async #loadTilesNoRescale(
    coords: readonly TileCoord[],
    request: CreationRequest,
  ): Promise<(TileResult | null)[]> {
    const cached = await this.cache.loadTiles(coords, { withMetadata: true, dimensions: request.dimensions });
    const missing = coords.filter((_, i) => cached[i] === null);
    const created = new Map<string, TileResult | null>();
    if (missing.length > 0) {
      const jobs = this.#jobs(missing, request);
      const results = await mapLimit(jobs, this.#concurrency, (job) =>
        this.#runJob(job, missing, request, new Map()),
      );
      for (const tiles of results) for (const [key, tile] of tiles) created.set(key, tile);
      this.#dropHot(jobs.flatMap(jobTiles), request.dimensions);
    }
    return coords.map((coord, i) => {
      const hit = cached[i] ?? null;
      return hit === null ? (created.get(coordKey(coord)) ?? null) : this.#hit(hit);
    });
  }
}

function uniqueCoords(coords: readonly (TileCoord | null)[]): TileCoord[] {
  const seen = new Set<string>();
  const unique: TileCoord[] = [];
  for (const coord of coords) {
    if (coord === null || seen.has(coordKey(coord))) continue;
    seen.add(coordKey(coord));
    unique.push(coord);
  }
  return unique;
}

function isStaleTile(tile: CachedTile, limitSeconds: number, cache: TileCache): boolean {
  // caches without timestamps (mbtiles) count every tile as stale under refresh_before
  if (!cache.supportsTimestamps || tile.timestampMs === null) return true;
  return isStale(tile.timestampMs, limitSeconds);
}

/**
 * MapProxy's TileManager rules: meta tiles when `meta_buffer` or a `meta_size` other than 1x1 is set
 * and every source supports them (free-form, tileGrid null, not opted out like the debug source);
 * other sources get single-tile requests, or bulk meta tiles with `bulk_meta_tiles`. Mixing both
 * kinds is an error.
 */
function creationMode(options: TileManagerOptions): CreationMode {
  const metaSize = options.metaSize ?? [4, 4];
  const metaBuffer = options.metaBuffer ?? 80;
  const wantsMeta = metaBuffer > 0 || metaSize[0] !== 1 || metaSize[1] !== 1;
  if (!wantsMeta || options.sources.length === 0) return { kind: 'single' };
  const freeForm = options.sources.filter(
    ({ source }) => source.tileGrid === null && source.supportsMetaTiles !== false,
  ).length;
  if (freeForm === options.sources.length) {
    return { kind: 'meta', metaGrid: createMetaGrid(options.grid, metaSize, metaBuffer) };
  }
  if (freeForm > 0) {
    throw new CacheError('meta tiling configured but not supported by all sources', 'CACHE_INVALID_OPTION');
  }
  if ((metaSize[0] !== 1 || metaSize[1] !== 1) && options.bulkMetaTiles) {
    return { kind: 'bulk', metaGrid: createMetaGrid(options.grid, metaSize, 0) };
  }
  return { kind: 'single' };
}
