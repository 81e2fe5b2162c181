/**
 * Creates missing tiles (MapProxy `cache/tile.py` `TileCreator`): one job per meta tile, bulk meta
 * tile or single tile, shared in-process by key and guarded across processes by a file lock.
 */
import { tileBBox, type MetaTile, type TileCoord, type TileGrid } from '../grid/index.js';
import {
  imageFromRaw,
  pilMode,
  warmEncoder,
  type ImageFormatOptions,
  type ImageResult,
  type PilMode,
} from '../image/index.js';
import { onErrorInfo, type MapQuery, type MapSource } from '../source/index.js';
import { getLogger, withCauses, type Gate, type Size } from '../util/index.js';
import { mapLimit } from './concurrency.js';
import { CacheError } from './errors.js';
import {
  mergeLayers,
  splitAndEncodeTiles,
  splitsOnThread,
  splitTiles,
  tileSingleColor,
} from './image-ops.js';
import type { TileLockBackend } from './lock.js';
import { isStale } from './refresh-before.js';
import { SingleFlight } from './single-flight.js';
import { storedTileFormat } from './tile-format.js';
import type {
  CachedTile,
  Dimensions,
  TileCache,
  TileRenderer,
  TileResult,
  TileSourceLayer,
  TileToStore,
} from './types.js';

/** What a job creates: a meta tile split into tiles, a meta tile fetched tile by tile, or one tile. */
export type CreationJob =
  | {
      readonly kind: 'meta';
      readonly key: string;
      readonly lockCoord: TileCoord;
      readonly metaTile: MetaTile;
    }
  | {
      readonly kind: 'bulk';
      readonly key: string;
      readonly lockCoord: TileCoord;
      readonly metaTile: MetaTile;
    }
  | {
      readonly kind: 'single';
      readonly key: string;
      readonly lockCoord: TileCoord;
      readonly coord: TileCoord;
    };

/** Per-request settings a job runs with. */
export interface CreationRequest {
  readonly dimensions: Dimensions;
  readonly isSeeding: boolean;
  /** What sources are told (`MapQuery.isSeeding`); `isSeeding` unless the caller says otherwise. */
  readonly sourcesSeeding?: boolean | undefined;
  /** `refresh_before` limit in seconds (tiles with `int(mtime) <= limit` are stale), or null. */
  readonly staleLimitSeconds: number | null;
  /**
   * Seeding (`-c N`): a source query waits for one of the gate's N slots and frees it when the
   * answer is in, so the next meta tile is fetched while this one is split, encoded and stored.
   * Bulk meta tiles and external renderers hold a slot for the whole creation.
   */
  readonly sourceGate?: Pick<Gate, 'run'> | undefined;
  /**
   * Only the tiles' bytes are used (tile services): a meta tile's decoded pixels are not kept for
   * drawing them into a map. On a `serve -w 2` worker those pixels (4 MB a 1024x1024 meta tile)
   * were garbage the moment the tiles were stored, and piled up until V8's next full collection:
   * ~46 MB of ArrayBuffers while bench/rss-phases.ts created its TMS tiles. A map that joins such
   * a creation gets tiles that decode the meta image again (the same pixels, more CPU).
   */
  readonly bytesOnly?: boolean | undefined;
  /**
   * Seeding: the caller reads none of the created tiles' bytes, it only wants them stored. A meta
   * tile's 8-bit PNGs then stay views of the palette thread's pooled buffer, which goes back for
   * the next meta tile once they are stored (not 16 copies left to the GC), and the creation
   * answers `'stored'` (TileManager then reads none of them back).
   */
  readonly storesOnly?: boolean | undefined;
}

/**
 * Created (or, after the re-check, loaded) tiles by `coordKey`; tiles a source had nothing for are
 * absent. `'stored'`: every tile of the job was found stored under the lock (another process
 * created them meanwhile), and each caller reads the tiles it wants from the cache.
 */
export type CreatedTiles = ReadonlyMap<string, TileResult> | 'stored';

export interface TileCreatorOptions {
  readonly grid: TileGrid;
  readonly cache: TileCache;
  readonly sources: readonly TileSourceLayer[];
  readonly imageOptions: ImageFormatOptions;
  /** Mime type asked from sources. */
  readonly requestFormat: string;
  /** null: no cross-process locking (`disable_storage`). */
  readonly locker: TileLockBackend | null;
  readonly concurrentTileCreators: number;
  readonly now: () => number;
  readonly warn: (message: string) => void;
  /** Called with the number of tiles each creation rendered from the sources (metrics). */
  readonly onCreated?: ((count: number) => void) | undefined;
  /** Applied to every created tile before it is encoded and stored (MapProxy tile filters: `watermark`). */
  readonly tileFilter?: ((coord: TileCoord, image: ImageResult) => Promise<ImageResult>) | undefined;
  /** `globals.renderd`: meta and single tiles are rendered and stored by it, then read from the cache. */
  readonly renderer?: TileRenderer | undefined;
  /** `<cache>_<grid>`, the cache's name for the renderer. */
  readonly identifier?: string | undefined;
}

const log = getLogger('mapproxy.cache.tile');

/** MapProxy's renderd priorities: interactive requests before seeding. */
const RENDERD_PRIORITY = { serving: 100, seeding: 10 } as const;

/** `z/x/y`, the key of a tile in maps and single-flight keys. */
export function coordKey(coord: TileCoord): string {
  return `${coord.z}/${coord.x}/${coord.y}`;
}

/** The tiles a job delivers. */
export function jobTiles(job: CreationJob): TileCoord[] {
  if (job.kind === 'single') return [job.coord];
  return job.metaTile.tilePatterns.flatMap((p) => (p.coord === null ? [] : [p.coord]));
}

export class TileCreator {
  readonly #options: TileCreatorOptions;
  readonly #flights = new SingleFlight<CreatedTiles>();

  constructor(options: TileCreatorOptions) {
    this.#options = options;
  }

  /** Creations currently running in this process. */
  get runningCount(): number {
    return this.#flights.size;
  }

  /**
   * Runs `job` once per process at a time: concurrent callers with the same key (and dimensions)
   * share one creation, which no caller can cancel (not for a cache that stores nothing). Rejects with the source's error (nothing is
   * stored then) or a `CacheError` (`CACHE_LOCK_TIMEOUT`).
   */
  create(job: CreationJob, request: CreationRequest): Promise<CreatedTiles> {
    // disable_storage: MapProxy's creations of a cache that stores nothing have no lock to wait on
    // and no stored tile to re-read, so each request fetches its tiles itself (a cache fed by such
    // a cache fetches a tile once per meta tile that needs it, however they overlap in time)
    if (this.#options.cache.isDummy) return this.#createLocked(job, request);
    const key = `${job.key}|${JSON.stringify(Object.entries(request.dimensions).sort())}`;
    return this.#flights.run(key, () => this.#createLocked(job, request));
  }

  async #createLocked(job: CreationJob, request: CreationRequest): Promise<CreatedTiles> {
    const { locker } = this.#options;
    const steps = log.isEnabled('debug') ? new StepTimes() : null;
    // 1. lock the meta tile across processes (no lock when nothing is stored)
    const lock = locker === null ? null : await locker.acquire(job.lockCoord);
    steps?.done('lock');
    try {
      // 2. re-check the cache under the lock: another process may have created the tiles meanwhile
      const tiles = jobTiles(job);
      const cached = await this.#loadIfAllCached(tiles, request);
      steps?.done(cached === null ? 're-check (missing)' : 're-check (created meanwhile)');
      if (cached !== null) return cached;
      const { renderer } = this.#options;
      // MapProxy's RenderdTileCreator overrides only the meta and single tile paths: bulk meta
      // tiles still query the sources
      if (renderer !== undefined && job.kind !== 'bulk')
        return await gated(request, () => this.#renderExternally(renderer, job, request));
      // 3.-5. query the sources, split and encode
      const rendered = await (job.kind === 'bulk'
        ? gated(request, () => this.#render(job, request, steps))
        : this.#render(job, request, steps));
      if (rendered.authorizeStale) {
        // on_error with authorize_stale: an existing (stale) copy beats the stand-in image
        const existing = await this.#loadIfAllCached(tiles, { ...request, staleLimitSeconds: null });
        if (existing !== null) return existing;
      }
      // 6. store; a failed write is logged and the tiles are still served
      const created = await this.#store(rendered, request);
      steps?.done('store');
      this.#options.onCreated?.(created.size);
      if (rendered.release === undefined) return created;
      // lent PNGs (storesOnly): stored now, so their buffer goes back; had the store failed, it
      // threw (seeding) and the buffer is left to the GC, never reused under a late write
      rendered.release();
      return 'stored';
    } finally {
      // 7. unlock, whatever happened
      await lock?.release();
      if (steps !== null) {
        steps.done('unlock');
        log.debug(`${this.#options.identifier ?? 'cache'}: created ${job.key}: ${steps.summary()}`);
      }
    }
  }

  /**
   * MapProxy `RenderdTileCreator`: the renderer creates the job's main tile (and with it the meta
   * tile) in the cache; the tiles are then read from there, and any it did not store stay missing.
   */
  async #renderExternally(
    renderer: TileRenderer,
    job: Exclude<CreationJob, { kind: 'bulk' }>,
    request: CreationRequest,
  ): Promise<CreatedTiles> {
    const main = job.kind === 'single' ? job.coord : job.metaTile.mainTile;
    const priority = request.isSeeding ? RENDERD_PRIORITY.seeding : RENDERD_PRIORITY.serving;
    await renderer.renderTile(this.#options.identifier ?? 'cache', main, priority);
    const loaded = await this.#options.cache.loadTiles(jobTiles(job), {
      withMetadata: true,
      dimensions: request.dimensions,
    });
    const result = new Map<string, TileResult>();
    for (const tile of loaded) {
      if (tile === null) continue;
      const format = storedTileFormat(tile.data, this.#options.imageOptions.format);
      const { coord, data, timestampMs } = tile;
      result.set(coordKey(coord), { coord, data, format, timestampMs, cacheable: true });
    }
    this.#options.onCreated?.(result.size);
    return result;
  }

  /**
   * Step 2: the job's tiles when all are stored and fresh (`'stored'` when freshness is not asked:
   * then only whether they exist is looked up), null when one is missing or stale.
   */
  async #loadIfAllCached(
    tiles: readonly TileCoord[],
    request: CreationRequest,
  ): Promise<CreatedTiles | null> {
    const { cache } = this.#options;
    if (cache.isDummy) return null;
    // MapProxy's all(is_cached(t) for t in tiles) stops at the first missing tile: when nothing was
    // created meanwhile (nearly always) one lookup, not one per tile of the meta tile
    const [first, ...rest] = tiles;
    if (request.staleLimitSeconds === null) {
      // MapProxy then loads only the tiles asked for: a waiting serve worker wants one or two of
      // the 16, which it reads itself (`'stored'`), instead of 17 reads here
      const { dimensions } = request;
      if (first !== undefined && !(await cache.isCached(first, dimensions))) return null;
      const stored = await Promise.all(rest.map((coord) => cache.isCached(coord, dimensions)));
      return stored.every(Boolean) ? 'stored' : null;
    }
    const limit = request.staleLimitSeconds;
    const options = { withMetadata: true, dimensions: request.dimensions };
    const usable = (tile: CachedTile | null): tile is CachedTile =>
      tile !== null && tile.timestampMs !== null && !isStale(tile.timestampMs, limit);
    if (tiles.length > 1 && first !== undefined && !usable(await cache.loadTile(first, options))) return null;
    const loaded = await cache.loadTiles(tiles, options);
    const result = new Map<string, TileResult>();
    for (const tile of loaded) {
      if (!usable(tile)) return null;
      result.set(coordKey(tile.coord), {
        coord: tile.coord,
        data: tile.data,
        format: storedTileFormat(tile.data, this.#options.imageOptions.format),
        timestampMs: tile.timestampMs,
        cacheable: true,
      });
    }
    return result;
  }

  /** Steps 3-5: the tile images of a job, encoded in the cache format. */
  async #render(job: CreationJob, request: CreationRequest, steps: StepTimes | null): Promise<Rendered> {
    const { grid, concurrentTileCreators } = this.#options;
    switch (job.kind) {
      case 'single': {
        // 3. one source request for one tile (tiled sources, or no meta tiling configured)
        const query = this.#query(tileBBox(grid, job.coord), grid.tileSize, request);
        const answer = await gated(request, () => this.#querySources(query));
        if (answer === null) return NOTHING;
        return { ...answer, tiles: [await this.#encode(job.coord, answer)] };
      }
      case 'bulk': {
        // 3. tiled sources with bulk_meta_tiles: every tile of the meta tile, in parallel
        const coords = jobTiles(job);
        const answers = await mapLimit(coords, concurrentTileCreators, async (coord) => {
          const answer = await this.#querySources(this.#query(tileBBox(grid, coord), grid.tileSize, request));
          return answer === null ? null : { ...answer, tile: await this.#encode(coord, answer) };
        });
        const found = answers.filter((a) => a !== null);
        return {
          tiles: found.map((a) => a.tile),
          cacheable: found.every((a) => a.cacheable),
          authorizeStale: found.some((a) => a.authorizeStale),
        };
      }
      case 'meta': {
        // 3. one source request for the whole meta tile, buffer included; its tiles are always
        // re-encoded, so the encoder threads start now and are ready when the answer arrives
        const meta = job.metaTile;
        const { cache, tileFilter, imageOptions } = this.#options;
        warmEncoder(imageOptions);
        // 4.-5. in one task on a palette thread for 8-bit PNG tiles nothing else needs to see
        // before they are encoded: that task decodes the answer, so its source need not
        const onThread = tileFilter === undefined && !cache.wantsSingleColor && splitsOnThread(imageOptions);
        const query = this.#query(meta.bbox, meta.size, request);
        const answer = await gated(request, () => this.#querySources(query, onThread));
        steps?.done('sources');
        if (answer === null) return NOTHING;
        const encodeOptions = tileEncodeOptions(imageOptions, answer);
        const { image } = answer;
        // 4. split at the tile offsets (positions outside the grid have no coord and are skipped)
        const patterns = meta.tilePatterns.filter((p) => p.coord !== null);
        const offsets = patterns.map((p) => p.offset);
        // a tile inside the meta image is a crop of the answer, in its mode; one reaching past it
        // is drawn on the cache's canvas, in the cache's mode (null)
        const inMeta = offsets.map((offset) => cropsMeta(offset, meta.size, grid.tileSize));
        const tileMode = (i: number): PilMode | null => (inMeta[i] === true ? answer.pilMode : null);
        // a seed run or a tile request keeps no pixels (nothing draws its tiles into a map)
        const keepPixels = !request.isSeeding && request.bytesOnly !== true;
        // only where a failed store throws (seeding) and the tiles are stored at all
        const lendBytes =
          request.storesOnly === true && request.isSeeding && !cache.isDummy && answer.cacheable;
        // one encode for all tiles on the thread: not when a tile reaching past the meta image (on
        // the cache's canvas, in the cache's mode) is encoded otherwise than the answer's crops
        const oneEncode =
          inMeta.every(Boolean) ||
          sameEncode(encodeOptions, tileEncodeOptions(imageOptions, { pilMode: null }));
        const direct =
          onThread && oneEncode
            ? await splitAndEncodeTiles(image, grid.tileSize, offsets, imageOptions, encodeOptions, {
                keepPixels,
                lendBytes,
              })
            : null;
        if (direct !== null) {
          // the thread cuts each tile just before encoding it: its cut and encode time is the
          // encode step, the wait for the thread and the decode the step before
          steps?.doneWithLast(
            'decode and split',
            `encode ${String(direct.tiles.length)} tiles`,
            direct.encodeMs,
          );
          const tiles = direct.tiles.map(({ image: tile, encoded }, i): EncodedTile => {
            const { coord } = patterns[i] as { coord: TileCoord };
            return {
              coord,
              data: encoded.data,
              format: encoded.format,
              singleColor: undefined,
              image: tile,
              pilMode: tileMode(i),
            };
          });
          return { ...answer, tiles, release: direct.release };
        }
        const parts = await splitTiles(image, grid.tileSize, offsets, imageOptions);
        steps?.done('decode and split');
        // 5. encode every tile in the cache format
        const tiles = await Promise.all(
          // a tile reaching past the meta image is drawn on the cache's canvas (MapProxy's
          // TileSplitter: create_image, then paste): it is in the cache's mode, also for its
          // single colour (an opaque cache's white tile there is MapProxy's ffffff link, not a
          // file: seeding differential --more, seed 16)
          patterns.map((p, i) =>
            this.#encode(p.coord as TileCoord, {
              ...answer,
              image: parts[i] as ImageResult,
              pilMode: tileMode(i),
            }),
          ),
        );
        steps?.done(`encode ${String(tiles.length)} tiles`);
        return { ...answer, tiles };
      }
    }
  }

  #query(bbox: MapQuery['bbox'], size: Size, request: CreationRequest): MapQuery {
    const { grid, requestFormat, imageOptions } = this.#options;
    return {
      bbox,
      size,
      srs: grid.srs,
      format: requestFormat,
      transparent: imageOptions.transparent,
      dimensions: request.dimensions,
      isSeeding: request.sourcesSeeding ?? request.isSeeding,
    };
  }

  /**
   * One source: its image as is (null = nothing there, nothing is stored). Several: all queried in
   * parallel and merged bottom → top; when none has anything the result is a blank tile (MapProxy
   * stores that blank tile). `decodeLater`: the caller decodes one source's image itself (see
   * `GetMapOptions`); a merge decodes them here.
   */
  async #querySources(query: MapQuery, decodeLater = false): Promise<SourceAnswer | null> {
    const { sources, imageOptions } = this.#options;
    // a lone source that clips this query is merged onto the cache's canvas (below), as MapProxy's
    // _query_sources merges it: an opaque cache's tile is white outside the coverage, not the
    // clipped answer's transparent pixels (seeding differential, seed 11)
    const only =
      sources.length === 1 && sources[0]?.source.clipsQuery?.(query) !== true ? sources[0] : undefined;
    if (only !== undefined) {
      const image = await only.source.getMap(query, { decodeLater });
      return image === null ? null : this.#loneAnswer(image, only.source);
    }
    const images = await Promise.all(sources.map(({ source }) => source.getMap(query)));
    // 2. one source of several answered: MapProxy's LayerMerger hands a lone layer on as it is when
    //    it is opaque (its image options not transparent: a WMS source without `transparent`) or
    //    the cache is transparent, and it is not clipped (generated differential gen-19-02: an
    //    RGBA PNG of the one source in range kept its alpha, so link_single_color_images named
    //    its tiles rrggbbaa where we named the merged RGB tile rrggbb)
    const answered = images.flatMap((image, i) => {
      const source = sources[i]?.source;
      return image === null || source === undefined ? [] : [{ image, source }];
    });
    const lone = answered.length === 1 ? answered[0] : undefined;
    if (
      lone !== undefined &&
      lone.source.clipsQuery?.(query) !== true &&
      ((lone.source.tileGrid === null && !lone.source.isTransparent) || imageOptions.transparent)
    ) {
      return this.#loneAnswer(lone.image, lone.source);
    }
    const layers = images.flatMap((image, i) =>
      image === null
        ? []
        : [
            {
              image,
              opacity: sources[i]?.opacity ?? sources[i]?.source.opacity ?? undefined,
              clipped: sources[i]?.source.clipsQuery?.(query) === true,
            },
          ],
    );
    // MapProxy LayerMerger: the merged image is cacheable only when every layer is
    const cacheable = layers.every(({ image }) => onErrorInfo(image)?.cacheable ?? true);
    return {
      image: await mergeLayers(layers, query.size, imageOptions),
      cacheable,
      authorizeStale: false,
      isStandIn: false,
      pilMode: null,
    };
  }

  /** The answer of one source, as it is (its on_error state, the mode PIL opens it in). */
  async #loneAnswer(image: ImageResult, source: TileSourceLayer['source']): Promise<SourceAnswer> {
    const { imageOptions } = this.#options;
    const info = onErrorInfo(image);
    return {
      image: await asMixedSourceImage(image, source, imageOptions),
      cacheable: info?.cacheable ?? true,
      authorizeStale: info?.authorizeStale ?? false,
      isStandIn: info !== null,
      // before a mixed cache's answer becomes pixels: the mode PIL opens the answer in counts.
      // A tile source's answer has no image options of its own (MapProxy's TileClient opens a
      // bare ImageSource): the cache sets its own on it before it is opened, so a paletted tile
      // is RGBA where the cache is transparent, whatever the source's transparent says
      pilMode: pilMode(image, source.tileGrid === null ? source.isTransparent : imageOptions.transparent),
    };
  }

  /** A tile of `answer`: `answer.image`, or a part of it cut from a meta tile. */
  async #encode(
    coord: TileCoord,
    answer: Pick<SourceAnswer, 'image' | 'isStandIn' | 'pilMode'>,
  ): Promise<EncodedTile> {
    const { cache, tileFilter } = this.#options;
    const { image: source, isStandIn } = answer;
    // MapProxy encodes a tile-sized on_error image (BlankImageSource, colors=0) without
    // flattening it, whatever the cache's transparency: a 'transparent' response stays transparent
    const imageOptions = isStandIn
      ? { ...this.#options.imageOptions, transparent: true }
      : this.#options.imageOptions;
    // MapProxy applies tile filters before storing: tiles are stored watermarked
    const image = tileFilter === undefined ? source : await tileFilter(coord, source);
    // a filtered tile is our own image, in the cache's mode
    const mode = isStandIn || tileFilter !== undefined ? null : answer.pilMode;
    const [encoded, singleColor] = await Promise.all([
      image.encode(tileEncodeOptions(imageOptions, { pilMode: mode })),
      cache.wantsSingleColor
        ? tileSingleColor(image, imageOptions, mode === null ? null : mode === 'RGBA' ? 4 : 3)
        : Promise.resolve(undefined),
    ]);
    return { coord, data: encoded.data, format: encoded.format, singleColor, image, pilMode: mode };
  }

  async #store(
    { tiles, cacheable }: Rendered,
    request: CreationRequest,
  ): Promise<ReadonlyMap<string, TileResult>> {
    const { cache, now, warn } = this.#options;
    let timestampMs: number | null = null;
    // on_error images with `cache: false` are served but never stored
    if (!cache.isDummy && cacheable && tiles.length > 0) {
      try {
        const toStore: TileToStore[] = tiles.map(({ coord, data, singleColor }) => ({
          coord,
          data,
          singleColor,
        }));
        await cache.storeTiles(toStore, request.dimensions);
        timestampMs = now();
      } catch (error) {
        const reason = `could not store tiles: ${error instanceof Error ? withCauses(error) : String(error)}`;
        // a seed run exists to store tiles: a tile it could not store is a failed tile (retried,
        // then reported), not a success
        if (request.isSeeding) throw new CacheError(reason, 'CACHE_WRITE', { cause: error });
        // STYLE 5: serving degrades deliberately; the tiles are served although they were not stored
        warn(reason);
      }
    }
    return new Map(
      tiles.map(({ coord, data, format, image, pilMode }) => [
        coordKey(coord),
        { coord, data, format, timestampMs, cacheable, isCreated: true, image, pilMode },
      ]),
    );
  }
}

/**
 * The options tiles of `answer` are encoded with: the cache's, but without alpha for an answer
 * PIL holds as RGB (a JPEG, an RGB PNG). MapProxy's img_to_buf quantises the tile cut from it
 * as it is: FASTOCTREE on RGB (no tRNS chunk) also in a transparent cache, and Pillow's GIF
 * writer takes the RGB path (median cut). Quantised with alpha, a JPEG source's PNG tiles were
 * 29.9 dB from MapProxy's with a tRNS chunk it does not write, its GIF tiles 24.5 dB.
 * And the other way round: in a transparent cache of `mode: RGB` an answer with an alpha band
 * (RGBA, or P, which quantize converts to RGBA) keeps it, as the tile is cut from the answer, not
 * drawn on create_image's RGB canvas (seeding differential seed 10, `image: {mode: RGB, colors:
 * 64, transparent: true}`: MapProxy wrote an RGBA palette, we 64 opaque entries).
 */
function tileEncodeOptions(
  options: ImageFormatOptions,
  answer: Pick<SourceAnswer, 'pilMode'>,
): ImageFormatOptions {
  const { pilMode } = answer;
  if (pilMode === null) return options;
  if (pilMode !== 'RGB') {
    // (only when transparent: an opaque cache's unquantised tiles keep their rule, see keepsAlpha)
    if (!options.transparent || options.mode !== 'RGB') return options;
    return { ...options, mode: pilMode === 'RGBA' ? 'RGBA' : null };
  }
  if (!options.transparent && options.mode !== 'RGBA') return options;
  return { ...options, transparent: false, mode: options.mode === 'RGBA' ? 'RGB' : options.mode };
}

/** Whether two results of {@link tileEncodeOptions} encode alike (it changes only these two). */
function sameEncode(a: ImageFormatOptions, b: ImageFormatOptions): boolean {
  return a.mode === b.mode && a.transparent === b.transparent;
}

/** `task` in a slot of the request's source gate, or at once without one. */
function gated<T>(request: CreationRequest, task: () => Promise<T>): Promise<T> {
  return request.sourceGate === undefined ? task() : request.sourceGate.run(task);
}

/**
 * Debug timings of one creation's steps (`lock 0 ms, re-check (missing) 2 ms, sources 812 ms, ...`):
 * where a creation's time goes, e.g. in a cold burst (issue 13).
 */
class StepTimes {
  #last = performance.now();
  readonly #steps: string[] = [];

  /** Ends the step `name`, begun when the previous one ended. */
  done(name: string): void {
    const now = performance.now();
    this.#steps.push(`${name} ${String(Math.round(now - this.#last))} ms`);
    this.#last = now;
  }

  /** Ends two steps at once: `last` took the final `lastMs` of the time since the previous step. */
  doneWithLast(first: string, last: string, lastMs: number): void {
    const now = performance.now();
    const firstMs = Math.max(0, now - this.#last - lastMs);
    this.#steps.push(
      `${first} ${String(Math.round(firstMs))} ms`,
      `${last} ${String(Math.round(now - this.#last - firstMs))} ms`,
    );
    this.#last = now;
  }

  summary(): string {
    return this.#steps.join(', ');
  }
}

/**
 * Whether the tile at `offset` lies inside the meta image of `metaSize`: MapProxy's TileSplitter
 * crops it then (the answer's mode kept), else pastes the part inside onto create_image's canvas
 * of the cache's options (a meta tile limited to the grid, e.g. GLOBAL_GEODETIC's level 0).
 */
function cropsMeta(offset: readonly [number, number] | undefined, metaSize: Size, tileSize: Size): boolean {
  if (offset === undefined) return false;
  const [x, y] = offset;
  return x >= 0 && y >= 0 && x + tileSize[0] <= metaSize[0] && y + tileSize[1] <= metaSize[1];
}

/** What the sources answered for one query. */
interface SourceAnswer {
  readonly image: ImageResult;
  /** False for `on_error` stand-ins that must not be stored. */
  readonly cacheable: boolean;
  /** `on_error` `authorize_stale`: prefer an existing stale copy. */
  readonly authorizeStale: boolean;
  /** One source's `on_error` stand-in image (not merged with others). */
  readonly isStandIn: boolean;
  /**
   * PIL's mode of this answer in MapProxy (`pilMode`: one source's answer as it came), which the
   * tiles cut from it keep: the number of values a single-colour tile is named with (3 unless
   * RGBA) and whether its palette is quantised with alpha (see {@link tileEncodeOptions}); null:
   * as the cache's mode says (a merge, our own pixels).
   */
  readonly pilMode: PilMode | null;
}

interface Rendered {
  readonly tiles: readonly EncodedTile[];
  readonly cacheable: boolean;
  readonly authorizeStale: boolean;
  /** The tiles' bytes are lent (`CreationRequest.storesOnly`): gives them back once stored. */
  readonly release?: (() => void) | undefined;
}

const NOTHING: Rendered = { tiles: [], cacheable: true, authorizeStale: false };

interface EncodedTile {
  readonly coord: TileCoord;
  readonly data: Buffer;
  readonly format: string;
  readonly singleColor: readonly number[] | null | undefined;
  /** The tile before encoding (after the tile filter): what maps drawn on the miss use. */
  readonly image: ImageResult;
  /**
   * PIL's mode of the tile in MapProxy: its answer's (a crop of it keeps it), null where the
   * cache's options decide (a tile reaching past the meta image is pasted on create_image's
   * canvas, a stand-in, a filtered tile).
   */
  readonly pilMode: PilMode | null;
}

/**
 * A `mixed` cache stores the image of a free-form source (WMS, ...) as PNG or JPEG by its pixels,
 * also when it is a single tile in the source's own PNG: MapProxy re-encodes an image whose format
 * is not the cache's. A tile source's tiles are stored as they came (MapProxy passes them through);
 * another cache's tiles are re-encoded from their pixels (the created image, or the stored one).
 */
async function asMixedSourceImage(
  image: ImageResult,
  source: MapSource,
  options: ImageFormatOptions,
): Promise<ImageResult> {
  if (options.format !== 'mixed' || image.format === null) return image;
  // a tile source's tile has no image options and passes through; a cache's tile (tiled_only
  // CacheSource) carries its cache's, so MapProxy's as_buffer converts it unless that is mixed too
  if (source.tileGrid !== null && (source.answerFormat ?? 'mixed') === 'mixed') return image;
  return imageFromRaw(await image.raw());
}
