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

/** A WMS or MapServer source's keys that its colors come from. */
type WmsImageKeys = Pick<WmsSourceConfig, 'image' | 'req'>;

/** What a mixed cache's palette size comes from: a WMS/MapServer source, or another cache. */
type ColorInput =
  | {
      readonly kind: 'source';
      readonly name: string;
      readonly config: WmsImageKeys;
    }
  | { readonly kind: 'cache'; readonly config: CacheConfig };

/**
 * The sources and caches whose colors the mixed cache `cache` takes, or null where the rule does
 * not apply: another format, the cache or its formats entry sets `colors`, or a source other than
 * WMS/MapServer or a cache (whose image options are not reproduced here).
 */
function colorInputs(loaded: LoadedConfig, cache: CacheConfig): ColorInput[] | null {
  const { globals, sources } = loaded.config;
  if (cache.format !== 'mixed' || !Array.isArray(cache.sources)) return null;
  if (cache.image?.colors !== undefined || globals.image.formats[cache.format]?.colors !== undefined)
    return null;
  const inputs: ColorInput[] = [];
  for (const entry of cache.sources as readonly string[]) {
    const name = splitTaggedSource(entry).source;
    const config = sources[name];
    // a cache source (CacheSource): the other cache's own image_opts (CacheConfiguration.image_opts)
    const other = config === undefined ? loaded.config.caches[name] : undefined;
    if (other !== undefined) inputs.push({ kind: 'cache', config: other });
    else if (config === undefined || (config.type !== 'wms' && config.type !== 'mapserver')) return null;
    else inputs.push({ kind: 'source', name, config: config as unknown as WmsImageKeys });
  }
  return inputs;
}

/**
 * `colors` for the tiles of the mixed cache `cache` (`resolved`: its own resolved value, kept
 * where `colorInputs` does not apply). Over its sources: 0 when one says 0, else the largest (none
 * set: 0, unquantised).
 */
export function mixedCacheColors(
  loaded: LoadedConfig,
  cache: CacheConfig,
  requestFormat: string,
  resolved: number,
): number {
  const inputs = colorInputs(loaded, cache);
  if (inputs === null) return resolved;
  const colors = inputs.map((input) => {
    if (input.kind === 'cache') {
      const { image, format } = input.config;
      return ownColors(loaded, image, image?.format === undefined ? format : undefined);
    }
    const { image, req } = input.config;
    return ownColors(loaded, image, typeof req.format === 'string' ? req.format : requestFormat);
  });
  if (colors.length === 0 || colors.includes(0)) return 0;
  return Math.max(0, ...colors.map((c) => c ?? 0));
}

/** The WMS/MapServer sources whose `image.colors` some mixed cache takes (`mixedCacheColors`). */
export function sourcesColoringMixedCaches(loaded: LoadedConfig): ReadonlySet<string> {
  const names = new Set<string>();
  for (const cache of Object.values(loaded.config.caches))
    for (const input of colorInputs(loaded, cache) ?? []) if (input.kind === 'source') names.add(input.name);
  return names;
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
