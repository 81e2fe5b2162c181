/**
 * Composition of `caches.<name>`: one TileManager per cache and grid, over the storage its
 * `cache.type` names in the backend registry (or none), fed by sources or by other caches.
 */
import {
  CacheError,
  DummyCache,
  TileManager,
  type HotTiles,
  type RefreshBefore,
  type TileCache,
  type TileRenderer,
  type TileSourceLayer,
} from '../cache/index.js';
import {
  ConfigError,
  ConfigErrors,
  configErrorAt,
  splitTaggedSource,
  type CacheConfig,
  type LoadedConfig,
} from '../config/index.js';
import { isGridSubsetOf, type TileCoord, type TileGrid } from '../grid/index.js';
import {
  drawWatermark,
  watermarkPlacement,
  type ImageFormatOptions,
  type ImageResult,
  type WatermarkOptions,
} from '../image/index.js';
import { parseColor } from './colors.js';
import { isUnnamedFormat } from './image-options.js';
import { CacheSource } from '../layer/index.js';
import { createBandMergeSource, RenderdClient, withRequestFormat, type MapSource } from '../source/index.js';
import { bandMerge, type BandSources } from './band-merge-config.js';
import { buildEach } from './build-each.js';
import type { Size } from '../util/index.js';
import { buildTaggedSource } from './build-sources.js';
import { cacheBackend, cacheMetaSize } from './cache-backends.js';
import { cacheSourceExtent } from './cache-extent.js';
import { cacheTransparency } from './cache-transparency.js';
import { sourceCacheColors } from './cache-colors.js';
import { hotTilesOf } from './hot-tiles-config.js';
import { cacheSourceTileLimit } from './max-tile-limit.js';
import { createTileLocks } from './lock-backends.js';

/** The TileManagers of every cache, by cache name and then grid name. */
export type CacheRegistry = Map<string, Map<string, TileManager>>;

/** Resolves the encoding options of a cache from its `format` and `image` section. */
export type CacheImageOptions = (cacheName: string, cache: CacheConfig) => ImageFormatOptions;

export interface BuildCachesContext {
  readonly loaded: LoadedConfig;
  readonly grids: ReadonlyMap<string, TileGrid>;
  readonly sources: ReadonlyMap<string, MapSource>;
  readonly imageOptions: CacheImageOptions;
}

/**
 * Builds every cache of the configuration. Caches used as sources of other caches are built
 * first (the config stage already rejected cycles). Throws `ConfigErrors` at the keys of every
 * cache that cannot be built.
 * The backend options and lock backend of all caches were checked before (`buildProxy` step 0).
 */
export function buildCaches(context: BuildCachesContext): CacheRegistry {
  const registry: CacheRegistry = new Map();
  const renderer = renderdClient(context.loaded);
  // one byte budget for the whole configuration, whatever the number of caches
  const hotTiles = hotTilesOf(context.loaded);
  const build = (name: string): Map<string, TileManager> => {
    const done = registry.get(name);
    if (done !== undefined) return done;
    const cache = context.loaded.config.caches[name];
    if (cache === undefined) throw new Error(`cache ${name} vanished after validation`);
    const managers = new Map<string, TileManager>();
    for (const gridName of cache.grids) {
      managers.set(gridName, buildManager(context, name, cache, gridName, build, renderer, hotTiles));
    }
    registry.set(name, managers);
    return managers;
  };
  buildEach(Object.keys(context.loaded.config.caches), build);
  return registry;
}

function buildManager(
  context: BuildCachesContext,
  name: string,
  cache: CacheConfig,
  gridName: string,
  buildCache: (name: string) => Map<string, TileManager>,
  renderer: TileRenderer | undefined,
  hotTiles: HotTiles | null,
): TileManager {
  const { loaded } = context;
  const grid = context.grids.get(gridName);
  if (grid === undefined)
    throw configErrorAt(
      loaded,
      ['caches', name, 'grids'],
      `unknown grid "${gridName}"`,
      'CONFIG_UNKNOWN_REF',
    );
  // MapProxy's TileManager encodes with compatible_image_options: transparency from the sources
  // (and, for a mixed or unnamed-format cache, the palette size)
  const own = context.imageOptions(name, cache);
  const imageOptions = {
    ...own,
    transparent: cacheTransparency(loaded, name),
    colors: sourceCacheColors(loaded, cache, cacheRequestFormat(context, name, cache), own.colors),
  };
  const store = cache.disable_storage ? new DummyCache() : createStore(context, name, cache, gridName, grid);
  // file locks in tile_lock_dir, or Redis leases (globals.cache.tile_lock_backend)
  const locker = cache.disable_storage ? null : createTileLocks({ loaded, cache, store });
  return new TileManager({
    grid,
    cache: store,
    sources: sourceLayers(context, name, cache, grid, gridName, buildCache),
    imageOptions,
    requestFormat: cacheRequestFormat(context, name, cache),
    locker,
    metaSize: checkedMetaSize(loaded, name, cache),
    metaBuffer: cache.meta_buffer,
    minimizeMetaRequests: cache.minimize_meta_requests,
    bulkMetaTiles: cache.bulk_meta_tiles,
    concurrentTileCreators: cache.concurrent_tile_creators,
    refreshBefore: refreshBefore(cache.refresh_before),
    upscaleTiles: cache.upscale_tiles,
    downscaleTiles: cache.downscale_tiles,
    cacheRescaledTiles: cache.cache_rescaled_tiles,
    identifier: `${name}_${gridName}`,
    tileFilter: watermarkFilter(loaded, name, cache),
    renderer,
    hotTiles,
  });
}

/** `globals.renderd.address`: the renderd client every cache delegates tile creation to. */
function renderdClient(loaded: LoadedConfig): TileRenderer | undefined {
  const { renderd, http } = loaded.config.globals;
  const address = renderd?.address;
  if (address === undefined || address === '') return undefined;
  return new RenderdClient({ address, headers: http.headers, timeoutMs: http.client_timeout * 1000 });
}

/** MapProxy `create_watermark_filter`: none without `watermark` or with empty text. */
function watermarkFilter(
  loaded: LoadedConfig,
  name: string,
  cache: CacheConfig,
): ((coord: TileCoord, image: ImageResult) => Promise<ImageResult>) | undefined {
  const conf = cache.watermark;
  if (conf === undefined) return undefined;
  const text = typeof conf['text'] === 'string' ? conf['text'] : '';
  if (text === '') return undefined;
  const spacing = conf['spacing'];
  if (spacing !== undefined && spacing !== 'wide')
    throw configErrorAt(
      loaded,
      ['caches', name, 'watermark', 'spacing'],
      `unsupported watermark spacing: ${JSON.stringify(spacing)}`,
      'CONFIG_INVALID_VALUE',
    );
  const color = conf['color'] === undefined ? null : parseColor(conf['color']);
  const options: WatermarkOptions = {
    text,
    opacity: typeof conf['opacity'] === 'number' ? conf['opacity'] : undefined,
    fontSize: typeof conf['font_size'] === 'number' ? conf['font_size'] : undefined,
    color: color === null ? undefined : [color[0], color[1], color[2]],
  };
  const wide = spacing === 'wide';
  return (coord, image) => drawWatermark(image, watermarkPlacement(coord.x, coord.y, wide), options);
}

/** The cache's `sources`, bottom first: sources, tagged WMS sources, or other caches. */
function sourceLayers(
  context: BuildCachesContext,
  name: string,
  cache: CacheConfig,
  grid: TileGrid,
  gridName: string,
  buildCache: (name: string) => Map<string, TileManager>,
): TileSourceLayer[] {
  if (Array.isArray(cache.sources)) {
    const names = cache.sources as readonly string[];
    return sourceList(context, name, cache, names, grid, gridName, buildCache).map((source) => ({ source }));
  }
  // band merging: one source that merges the channels of the named ones
  const bands = bandMerge(context.loaded, name, cache.sources as BandSources);
  const sources = sourceList(context, name, cache, bands.names, grid, gridName, buildCache);
  const transparent = cacheTransparency(context.loaded, name);
  return [
    { source: createBandMergeSource({ name, sources, ops: bands.ops, mode: bands.mode, transparent }) },
  ];
}

/** Sources, tagged WMS sources or other caches by name, in the order given. */
function sourceList(
  context: BuildCachesContext,
  name: string,
  cache: CacheConfig,
  names: readonly string[],
  grid: TileGrid,
  gridName: string,
  buildCache: (name: string) => Map<string, TileManager>,
): MapSource[] {
  const { loaded } = context;
  const entries = names.map((entry) => splitTaggedSource(entry));
  const isCache = (source: string): boolean =>
    source in loaded.config.caches && !(source in loaded.config.sources);
  // MapProxy _sources_for_grid: tile-for-tile access (tiled_only) only when *every* source is a
  // cache that supports it; otherwise every cache source is free-form and takes meta tiles
  const tiledOnly = entries.every(
    ({ source, layers }) =>
      layers === undefined &&
      isCache(source) &&
      supportsTiledOnlyAccess(context, cache, source, grid, buildCache),
  );
  return entries.map(({ source, layers }): MapSource => {
    // MapProxy's _sources_for_grid looks a name up in sources first: a cache that shares its
    // name with a source (`caches.x.sources: [x]`) reads the source, not itself
    if (isCache(source)) {
      const managers = buildCache(source);
      // same grid: read tile for tile; otherwise stitch and scale from the source cache's first grid
      const same = managers.get(gridName);
      const manager = same ?? managers.values().next().value;
      if (manager === undefined)
        throw configErrorAt(loaded, ['caches', source, 'grids'], 'cache has no grids');
      return new CacheSource({
        name: source,
        tileManager: manager,
        tiledOnly,
        extent: cacheSourceExtent(context.loaded, source, grid, context.grids),
        maxTileLimit: cacheSourceTileLimit(loaded, source, managers.size),
      });
    }
    const built =
      layers === undefined
        ? context.sources.get(source)
        : buildTaggedSource(loaded, source, layers, context.grids);
    if (built === undefined)
      throw configErrorAt(
        loaded,
        ['caches', name, 'sources'],
        `unknown source "${source}"`,
        'CONFIG_UNKNOWN_REF',
      );
    return withRequestFormat(built, cacheRequestFormat(context, name, cache));
  });
}

/**
 * MapProxy's `request_format` of a cache (`request_format or format`, format defaulting to
 * image/png; a format named in globals.image.formats goes as its image options' format): what
 * its tiles are requested in, and what `_sources_for_grid` hands each of its sources.
 */
function cacheRequestFormat(context: BuildCachesContext, name: string, cache: CacheConfig): string {
  if (cache.request_format !== undefined) return cache.request_format;
  if (isUnnamedFormat(cache, context.loaded.config.globals.image.formats)) return `image/${cache.format}`;
  const { format } = context.imageOptions(name, cache);
  return format === 'mixed' ? 'image/png' : format;
}

/**
 * MapProxy `supports_tiled_only_access`: the source cache has a single grid, every tile of
 * `grid` is one of its tiles, and it stores the format the consuming cache requests.
 */
function supportsTiledOnlyAccess(
  context: BuildCachesContext,
  consumer: CacheConfig,
  source: string,
  grid: TileGrid,
  buildCache: (name: string) => Map<string, TileManager>,
): boolean {
  const managers = buildCache(source);
  const manager = managers.values().next().value;
  if (managers.size !== 1 || manager === undefined) return false;
  const requestFormat = consumer.request_format ?? consumer.format;
  return isGridSubsetOf(grid, manager.grid) && sameFormat(requestFormat, manager.imageOptions.format);
}

/** MapProxy's ImageFormat equality: `png` and `image/png` name the same format. */
function sameFormat(a: string | undefined, b: string): boolean {
  const mime = (f: string): string => (f.includes('/') ? f : `image/${f}`);
  return mime(a ?? 'image/png') === mime(b);
}

/** The cache's storage from the backend registry; refuses what `check` refuses, at the same key. */
function createStore(
  context: BuildCachesContext,
  name: string,
  cache: CacheConfig,
  gridName: string,
  grid: TileGrid,
): TileCache {
  const { loaded } = context;
  const backend = cacheBackend(loaded, name, cache);
  if (backend instanceof ConfigError) throw backend;
  const problems = backend.validate?.({ loaded, name, cache, gridName }) ?? [];
  if (problems.length > 0) throw new ConfigErrors(problems);
  try {
    return backend.create({ loaded, name, cache, gridName, grid });
  } catch (error) {
    if (!(error instanceof CacheError)) throw error;
    throw configErrorAt(loaded, ['caches', name, 'cache'], error.message, 'CONFIG_INVALID_VALUE', {
      cause: error,
    });
  }
}

function refreshBefore(spec: CacheConfig['refresh_before']): RefreshBefore | null {
  if (spec === undefined) return null;
  const { time } = spec;
  return { ...spec, time: typeof time === 'string' || time instanceof Date ? time : undefined };
}

/** The cache's meta_size; throws the ConfigError `check` reports for one below 1x1. */
function checkedMetaSize(loaded: LoadedConfig, name: string, cache: CacheConfig): Size {
  const size = cacheMetaSize(loaded, name, cache);
  if (size instanceof ConfigError) throw size;
  return size;
}
