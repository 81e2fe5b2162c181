/**
 * The palette size of a `format: mixed` cache's PNG tiles, as MapProxy's `compatible_image_options`
 * (image/opts.py, called in loader.py `caches()`) gives it: the cache's own `colors` when set,
 * else the sources'. A mixed cache's own options never get the paletted 256 (its format does not
 * name png), so a WMS source's 256 (its request format is png) is what quantises its PNG tiles.
 */
import {
  splitTaggedSource,
  type CacheConfig,
  type ImageOptionsConfig,
  type LoadedConfig,
  type WmsSourceConfig,
} from '../config/index.js';

/**
 * `colors` for the tiles of the mixed cache `cache` (`resolved`: its own resolved value, kept for
 * any other format, when the cache or its formats entry sets `colors`, and over sources other
 * than WMS/MapServer or caches, whose image options are not reproduced here). Over its sources: 0
 * when one says 0, else the largest (none set: 0, unquantised).
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
    const name = splitTaggedSource(entry).source;
    const config = sources[name];
    // a cache source (CacheSource): the other cache's own image_opts (CacheConfiguration.image_opts)
    const other = config === undefined ? loaded.config.caches[name] : undefined;
    if (other !== undefined) {
      colors.push(
        ownColors(loaded, other.image, other.image?.format === undefined ? other.format : undefined),
      );
      continue;
    }
    if (config === undefined || (config.type !== 'wms' && config.type !== 'mapserver')) return resolved;
    const { image, req } = config as unknown as Pick<WmsSourceConfig, 'image' | 'req'>;
    colors.push(ownColors(loaded, image, typeof req.format === 'string' ? req.format : requestFormat));
  }
  if (colors.length === 0 || colors.includes(0)) return 0;
  return Math.max(0, ...colors.map((c) => c ?? 0));
}

/**
 * MapProxy's `ImageOptionsConfiguration.image_opts(image, format)` colors: `image.colors`, else
 * the `globals.image.formats` entry's of `format`, else 256 (globals.image.paletted) when the
 * format (`image.format`, the entry's, or `format` when it is a mime type) names png. `format`: a
 * WMS source's `req.format` or its cache's request format; a cache source's `format`.
 */
function ownColors(
  loaded: LoadedConfig,
  image: ImageOptionsConfig | undefined,
  format: string | undefined,
): number | null {
  const { formats, paletted } = loaded.config.globals.image;
  const entry = format === undefined ? {} : (formats[format] ?? {});
  const colors = image?.colors ?? entry.colors ?? null;
  if (colors !== null) return colors;
  const named = image?.format ?? entry.format ?? (format?.startsWith('image/') === true ? format : '');
  return paletted && named.includes('png') ? 256 : null;
}
