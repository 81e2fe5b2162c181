/**
 * The palette size of the PNG tiles of a `format: mixed` cache, or of one whose `format` names no
 * format (`png8` without a `globals.image.formats` entry, stored as PNG), as MapProxy's
 * `compatible_image_options` (image/opts.py, called in loader.py `caches()`) gives it: the
 * cache's own `colors` when set, else the sources'. Such a cache's own options never get the
 * paletted 256 (its format is no mime type naming png), so a WMS/ArcGIS source's 256 (its request
 * format is png) is what quantises its PNG tiles; one tile or debug source among them gives none
 * (None, which counts as 0 only alone: unquantised).
 */
import {
  splitTaggedSource,
  type CacheConfig,
  type ImageOptionsConfig,
  type BandSourceConfig,
  type LoadedConfig,
  type SourceConfig,
} from '../config/index.js';
import { configuredImageOptions, ImageError } from '../image/index.js';
import { isUnnamedFormat } from './image-options.js';

/** The image keys of a source that its colors come from. */
interface SourceImageKeys {
  readonly image?: ImageOptionsConfig;
}

/**
 * What such a cache's palette size comes from: a source (`format`: the format its image options
 * are made for, MapProxy's `image_opts(format=…)`; none for tile and mapnik sources, which get no
 * format), a source without image options (debug: `ImageOptions()`, no colors), or another cache.
 */
type ColorInput =
  | {
      readonly kind: 'source';
      readonly name: string;
      readonly config: SourceImageKeys;
      readonly format: string | undefined;
    }
  | { readonly kind: 'none' }
  | { readonly kind: 'cache'; readonly config: CacheConfig };

/** The source and cache names of a cache's `sources`: a list, or a band merge's once each. */
function sourceNames(cache: CacheConfig): string[] {
  if (Array.isArray(cache.sources))
    return (cache.sources as readonly string[]).map((e) => splitTaggedSource(e).source);
  const bands = Object.values(cache.sources as Readonly<Record<string, readonly BandSourceConfig[]>>);
  return [...new Set(bands.flat().map((band) => band.source))];
}

/**
 * The sources and caches whose colors the mixed or unnamed-format cache `cache` takes (MapProxy's
 * `_sources_for_grid`, for a band merge too), or null where the rule does not apply: another
 * format (whose own options give the colors), the cache or its formats entry sets `colors`, or a source type MapProxy 1.15 does not
 * have. A feature-info-only source (`wms_opts.map`/`opts.map: false`) makes no map source there
 * and is left out.
 */
function colorInputs(loaded: LoadedConfig, cache: CacheConfig, requestFormat: string): ColorInput[] | null {
  const { globals, sources } = loaded.config;
  if (cache.format !== 'mixed' && !isUnnamedFormat(cache, globals.image.formats)) return null;
  if (cache.image?.colors !== undefined || globals.image.formats[cache.format]?.colors !== undefined)
    return null;
  const inputs: ColorInput[] = [];
  for (const name of sourceNames(cache)) {
    const config = sources[name] as (SourceConfig & { readonly [key: string]: unknown }) | undefined;
    // a cache source (CacheSource): the other cache's own image_opts (CacheConfiguration.image_opts)
    const other = config === undefined ? loaded.config.caches[name] : undefined;
    if (other !== undefined) {
      inputs.push({ kind: 'cache', config: other });
      continue;
    }
    if (config === undefined) return null;
    const image = config as SourceImageKeys;
    switch (config.type) {
      case 'wms':
      case 'mapserver':
      case 'arcgis': {
        const opts = (config.type === 'arcgis' ? config.opts : config.wms_opts) as
          { map?: unknown } | undefined;
        if (opts?.map === false) continue;
        const req = config.req as { format?: unknown } | undefined;
        const format = typeof req?.format === 'string' ? req.format : requestFormat;
        inputs.push({ kind: 'source', name, config: image, format });
        break;
      }
      case 'tile':
      case 'mapnik':
        inputs.push({ kind: 'source', name, config: image, format: undefined });
        break;
      case 'debug':
        inputs.push({ kind: 'none' });
        break;
      // not in MapProxy 1.15
      case 'ogcapitiles':
      case 'ogcapimaps':
        return null;
    }
  }
  return inputs;
}

/**
 * `colors` for the tiles of the mixed or unnamed-format cache `cache` (`resolved`: its own
 * resolved value, kept where `colorInputs` does not apply). Over its sources: 0 when one says 0,
 * else the largest (none set: 0, unquantised, not img_to_buf's 255 for a png without colors).
 */
export function sourceCacheColors(
  loaded: LoadedConfig,
  cache: CacheConfig,
  requestFormat: string,
  resolved: number,
): number {
  const inputs = colorInputs(loaded, cache, requestFormat);
  if (inputs === null) return resolved;
  const colors = inputs.map((input) => {
    if (input.kind === 'none') return null;
    if (input.kind === 'cache') {
      const { image, format } = input.config;
      return ownColors(loaded, image, image?.format === undefined ? format : undefined);
    }
    return ownColors(loaded, input.config.image, input.format);
  });
  if (colors.length === 0 || colors.includes(0)) return 0;
  return Math.max(0, ...colors.map((c) => c ?? 0));
}

/** The sources whose `image.colors` some cache takes (`sourceCacheColors`). */
export function sourcesColoringCaches(loaded: LoadedConfig): ReadonlySet<string> {
  const names = new Set<string>();
  for (const cache of Object.values(loaded.config.caches))
    // which sources, not their colors: the request format plays no part
    for (const input of colorInputs(loaded, cache, '') ?? [])
      if (input.kind === 'source') names.add(input.name);
  return names;
}

/**
 * MapProxy's `ImageOptionsConfiguration.image_opts(image, format)` colors (`configuredImageOptions`):
 * `image.colors`, else the `globals.image.formats` entry's of `format`, else 256 under
 * `paletted` for a png format. `format`: a WMS source's `req.format` or its cache's request
 * format; a cache source's `format`.
 */
function ownColors(
  loaded: LoadedConfig,
  image: ImageOptionsConfig | undefined,
  format: string | undefined,
): number | null {
  try {
    return configuredImageOptions({ format, image }, loaded.config.globals.image).colors;
  } catch (error) {
    // an invalid image section is reported where that cache's or source's options are built
    if (error instanceof ImageError) return null;
    throw error;
  }
}
