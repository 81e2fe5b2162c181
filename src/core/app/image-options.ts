/**
 * Encoding options of each cache: its `format` and `image` section over `globals.image`,
 * resolved the way MapProxy's loader does (in image/). Invalid values are ConfigErrors.
 */
import { configErrorAt, type CacheConfig, type LoadedConfig } from '../config/index.js';
import { ImageError, resolveImageOptions, type ResamplingMethod } from '../image/index.js';
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
        ['caches', cacheName, cache.image === undefined ? 'format' : 'image'],
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
 * How a source's `supported_srs` reprojection resamples (MapProxy's source `image_opts`): its
 * `image.resampling_method`, else that of the `globals.image.formats` entry its `req.format`
 * names, else `globals.image.resampling_method`.
 */
export function sourceResampling(
  loaded: LoadedConfig,
  sourceName: string,
  resamplingMethod: string | undefined,
  requestFormat: unknown,
): ResamplingMethod {
  const format = typeof requestFormat === 'string' ? requestFormat : undefined;
  try {
    return resolveImageOptions(
      { format, image: { resampling_method: resamplingMethod } },
      loaded.config.globals.image,
    ).resampling;
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    const path =
      resamplingMethod === undefined
        ? ['globals', 'image', 'resampling_method']
        : ['sources', sourceName, 'image', 'resampling_method'];
    throw configErrorAt(loaded, path, error.message, 'CONFIG_INVALID_VALUE', { cause: error });
  }
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
