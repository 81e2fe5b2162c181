/**
 * Whether a cache stores transparent tiles: its own `image.transparent`, else what its sources
 * declare, as MapProxy's `compatible_image_options` (image/opts.py, called in loader.py `caches()`).
 */
import {
  splitTaggedSource,
  type CacheConfig,
  type LoadedConfig,
  type SourceConfig,
  type WmsSourceConfig,
} from '../config/index.js';
import type { BandSources } from './band-merge-config.js';

/** `true`/`false` when set in the config, `null` when left open (MapProxy's `None`). */
type Transparency = boolean | null;

/**
 * The cache's own setting (`CacheConfiguration.image_opts`): `image.transparent`, else that of the
 * `globals.image.formats` entry of its `format` (looked up only when `image.format` is not set).
 */
function ownTransparency(loaded: LoadedConfig, cache: CacheConfig): Transparency {
  const own = cache.image?.transparent;
  if (own !== undefined) return own;
  if (cache.image?.format !== undefined) return null;
  return loaded.config.globals.image.formats[cache.format]?.transparent ?? null;
}

/**
 * A source's `image_opts.transparent`: WMS `transparent_color` forces true; the top-level
 * `transparent` key wins over `image.transparent`, which wins over WMS `req.transparent`.
 */
function sourceTransparency(source: SourceConfig): Transparency {
  switch (source.type) {
    case 'wms':
      return wmsTransparency(source);
    case 'mapserver':
      // MapProxy's MapServerSourceConfiguration is a WMSSourceConfiguration: the same image_opts
      return wmsTransparency(source as unknown as Pick<WmsSourceConfig, 'image' | 'req'>);
    case 'tile':
      return source.transparent ?? source.image?.transparent ?? null;
    case 'debug':
      return null;
    case 'mapnik':
    case 'arcgis':
      // SourceConfiguration.image_opts, as for tile sources (an arcgis req.transparent does not count)
      return typeof source.transparent === 'boolean' ? source.transparent : imageTransparency(source.image);
    case 'ogcapitiles':
    case 'ogcapimaps':
      return typeof source.transparent === 'boolean' ? source.transparent : null;
  }
}

/** `image.transparent` of a source section whose `image` the schema does not type. */
function imageTransparency(image: unknown): Transparency {
  if (typeof image !== 'object' || image === null || !('transparent' in image)) return null;
  return typeof image.transparent === 'boolean' ? image.transparent : null;
}

/** WMSSourceConfiguration.image_opts: `transparent_color` forces true, else `image.transparent`, else `req.transparent`. */
function wmsTransparency(source: Pick<WmsSourceConfig, 'image' | 'req'>): Transparency {
  if (source.image?.transparent_color !== undefined) return true;
  const req = source.req.transparent;
  const fromReq =
    typeof req === 'boolean' || typeof req === 'string' ? String(req).toLowerCase() === 'true' : null;
  return source.image?.transparent ?? fromReq;
}

/**
 * The transparency of the tiles of cache `name` (MapProxy stores and merges with these options):
 * 1. the cache's own `image.transparent` when set;
 * 2. otherwise false as soon as one source says false, else true when one says true (a band
 *    merge's sources are those its bands name); a source that is another cache counts with its
 *    own setting, a cache without sources is transparent (MapProxy's `DummySource`);
 * 3. otherwise false (left open means opaque when encoding).
 */
export function cacheTransparency(loaded: LoadedConfig, name: string): boolean {
  const { caches, sources } = loaded.config;
  const cache = caches[name];
  if (cache === undefined) return false;
  // 1. the cache's own setting
  const own = ownTransparency(loaded, cache);
  if (own !== null) return own;
  // 2. compatible_image_options over the sources, bottom first; a band merge's are the distinct
  //    sources its bands name (MapProxy `_sources_for_band_merge` hands their image options on)
  const entries = Array.isArray(cache.sources)
    ? (cache.sources as readonly string[])
    : [...new Set(Object.values(cache.sources as BandSources).flatMap((band) => band.map((e) => e.source)))];
  if (entries.length === 0) return true;
  let result: Transparency = null;
  for (const entry of entries) {
    const { source } = splitTaggedSource(entry);
    // a name that is both a source and a cache means the source (MapProxy's _sources_for_grid)
    const config = sources[source];
    const other = config === undefined ? caches[source] : undefined;
    const value =
      other !== undefined
        ? ownTransparency(loaded, other)
        : config === undefined
          ? null
          : sourceTransparency(config);
    if (value === false) return false;
    if (value === true) result = true;
  }
  // 3. None encodes as opaque
  return result ?? false;
}
