/**
 * Encoding options of each cache: its `format` and `image` section over `globals.image`,
 * resolved the way MapProxy's loader does (in image/). Invalid values are ConfigErrors.
 */
import {
  configErrorAt,
  type CacheConfig,
  type ConfigError,
  type ImageOptionsConfig,
  type LoadedConfig,
} from '../config/index.js';
import {
  ImageError,
  resolveImageOptions,
  type ImageFormatOptions,
  type ImageOptionsSpec,
} from '../image/index.js';
import type { CacheImageOptions } from './build-caches.js';

/** A resolver of cache image options for `loaded`, for `buildCaches`. */
export function cacheImageOptions(loaded: LoadedConfig): CacheImageOptions {
  const globals = loaded.config.globals.image;
  return (cacheName, cache) => {
    try {
      return resolveImageOptions(
        { format: cacheFormat(cache, globals.formats), image: cache.image },
        globals,
      );
    } catch (error) {
      if (!(error instanceof ImageError)) throw error;
      throw configErrorAt(
        loaded,
        invalidImageKey(['caches', cacheName, 'image'], cache.image) ?? [
          'caches',
          cacheName,
          cache.image === undefined ? 'format' : 'image',
        ],
        error.message,
        'CONFIG_INVALID_VALUE',
        {
          cause: error,
        },
      );
    }
  };
}

/**
 * A wms, mapserver, arcgis or tile source's image options as MapProxy's loader makes them
 * (`SourceConfiguration.image_opts`, for every such source it builds): its `image` section over the
 * `globals.image.formats` entry that `requestFormat` (`req.format`) names. Of these only
 * `resampling` is read (a `supported_srs` reprojection: the section's `resampling_method`, else
 * the entry's, else `globals.image.resampling_method`); no image takes a source's encoding
 * options, but an invalid one refuses the configuration as MapProxy's `_check_encoding_options`
 * does. Throws `ConfigError` at the invalid key.
 */
export function sourceImageOptions(
  loaded: LoadedConfig,
  sourceName: string,
  image: ImageOptionsConfig | undefined,
  requestFormat: unknown,
): ImageFormatOptions {
  const format = typeof requestFormat === 'string' ? requestFormat : undefined;
  try {
    return resolveImageOptions({ format, image }, loaded.config.globals.image);
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    const path = invalidImageKey(['sources', sourceName, 'image'], image) ?? [
      'globals',
      'image',
      'resampling_method',
    ];
    throw configErrorAt(loaded, path, error.message, 'CONFIG_INVALID_VALUE', { cause: error });
  }
}

/**
 * The key of the `image` section at `path` that `resolveImageOptions` refuses: an
 * `encoding_options` entry, else `resampling_method`; null when the section holds neither (the
 * invalid value comes from `globals.image`).
 */
function invalidImageKey(
  path: readonly string[],
  image: ImageOptionsSpec | undefined,
): (string | number)[] | null {
  for (const [key, value] of Object.entries(image?.encoding_options ?? {}))
    if (refusal({ encoding_options: { [key]: value } }) !== null) return [...path, 'encoding_options', key];
  const method = image?.resampling_method;
  if (method != null && refusal({ resampling_method: method }) !== null)
    return [...path, 'resampling_method'];
  return null;
}

/** Why `resolveImageOptions` refuses the section `image`, null when it does not. */
function refusal(image: ImageOptionsSpec): string | null {
  try {
    resolveImageOptions({ image });
    return null;
  } catch (error) {
    if (error instanceof ImageError) return error.message;
    throw error;
  }
}

/**
 * The invalid `encoding_options` of every `globals.image.formats` entry, used or not: MapProxy's
 * loader checks them all when it reads `globals.image` (`_init_formats`) and refuses the
 * configuration. One error per invalid key.
 */
export function formatEntryProblems(loaded: LoadedConfig): ConfigError[] {
  const problems: ConfigError[] = [];
  for (const [name, entry] of Object.entries(loaded.config.globals.image.formats))
    for (const [key, value] of Object.entries(entry.encoding_options ?? {})) {
      const message = refusal({ encoding_options: { [key]: value } });
      if (message !== null)
        problems.push(
          configErrorAt(loaded, ['globals', 'image', 'formats', name, 'encoding_options', key], message),
        );
    }
  return problems;
}

/**
 * MapProxy's cache `image_opts`: a `format` that is neither a mime type, `mixed` nor a name in
 * `globals.image.formats` (`png8a`, `jpeg`) leaves the format unset, and the loader falls back
 * to image/png (tiles stored and served as PNG, quantised like any paletted PNG).
 */
export function cacheFormat(
  cache: Pick<CacheConfig, 'format' | 'image'>,
  named: Readonly<Record<string, unknown>> | undefined,
): string {
  return isUnnamedFormat(cache, named) ? 'png' : cache.format;
}

/**
 * True for such a `format`, which MapProxy still sends upstream as written (`request_format`
 * defaults to the cache's `format`): a `png8a` cache asks its WMS for `format=image/png8a`.
 */
export function isUnnamedFormat(
  cache: Pick<CacheConfig, 'format' | 'image'>,
  named: Readonly<Record<string, unknown>> | undefined,
): boolean {
  const { format } = cache;
  if (cache.image?.format !== undefined) return false;
  return format !== 'mixed' && !format.startsWith('image/') && named?.[format] === undefined;
}
