/**
 * Encoding options of each cache: its `format` and `image` section over `globals.image`,
 * resolved the way MapProxy's loader does (in image/). Invalid values are ConfigErrors.
 */
import { configErrorAt, type LoadedConfig } from '../config/index.js';
import { ImageError, resolveImageOptions } from '../image/index.js';
import type { CacheImageOptions } from './build-caches.js';

/** A resolver of cache image options for `loaded`, for `buildCaches`. */
export function cacheImageOptions(loaded: LoadedConfig): CacheImageOptions {
  const globals = loaded.config.globals.image;
  return (cacheName, cache) => {
    try {
      return resolveImageOptions({ format: cache.format, image: cache.image }, globals);
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
