/**
 * The palette size of a `format: mixed` cache's PNG tiles, as MapProxy's `compatible_image_options`
 * (image/opts.py, called in loader.py `caches()`) gives it: the cache's own `colors` when set,
 * else the sources'. A mixed cache's own options never get the paletted 256 (its format does not
 * name png), so a WMS source's 256 (its request format is png) is what quantises its PNG tiles.
 */
import {
  splitTaggedSource,
  type CacheConfig,
  type LoadedConfig,
  type WmsSourceConfig,
} from '../config/index.js';

/**
 * `colors` for the tiles of the mixed cache `cache` (`resolved`: its own resolved value, kept for
 * any other format, when the cache or its formats entry sets `colors`, and over sources other
 * than WMS/MapServer, whose image options are not reproduced here). Over WMS sources: 0 when one
 * says 0, else the largest (none set: 0, unquantised).
 */
export function mixedCacheColors(
  loaded: LoadedConfig,
  cache: CacheConfig,
  requestFormat: string,
  resolved: number,
): number {
  const { globals, sources } = loaded.config;
  if (cache.format !== 'mixed' || !Array.isArray(cache.sources)) return resolved;
  if (cache.image?.colors !== undefined || globals.image.formats[cache.format]?.colors !== undefined)
    return resolved;
  const colors: (number | null)[] = [];
  for (const entry of cache.sources as readonly string[]) {
    const config = sources[splitTaggedSource(entry).source];
    if (config === undefined || (config.type !== 'wms' && config.type !== 'mapserver')) return resolved;
    colors.push(
      wmsSourceColors(loaded, config as unknown as Pick<WmsSourceConfig, 'image' | 'req'>, requestFormat),
    );
  }
  if (colors.length === 0 || colors.includes(0)) return 0;
  return Math.max(0, ...colors.map((c) => c ?? 0));
}

/**
 * MapProxy's `ImageOptionsConfiguration.image_opts(source.image, format)` colors of a WMS source:
 * `image.colors`, else its formats entry's, else 256 (globals.image.paletted) when its format
 * (`image.format`, the entry's, or the request format: `req.format` or the cache's) names png.
 */
function wmsSourceColors(
  loaded: LoadedConfig,
  source: Pick<WmsSourceConfig, 'image' | 'req'>,
  cacheRequestFormat: string,
): number | null {
  const { formats, paletted } = loaded.config.globals.image;
  const format = typeof source.req.format === 'string' ? source.req.format : cacheRequestFormat;
  const entry = formats[format] ?? {};
  const colors = source.image?.colors ?? entry.colors ?? null;
  if (colors !== null) return colors;
  const named = source.image?.format ?? entry.format ?? (format.startsWith('image/') ? format : '');
  return paletted && named.includes('png') ? 256 : null;
}
