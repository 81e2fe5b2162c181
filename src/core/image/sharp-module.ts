/**
 * sharp (libvips), loaded on its first use: seeding an 8-bit PNG cache, and serving its tiles,
 * never call it, and loading it costs each process ~70-100 ms of CPU. The only importer of sharp.
 */
import type { default as SharpFunction } from 'sharp';

export type Sharp = typeof SharpFunction;

let loading: Promise<Sharp> | undefined;

/** The sharp function; the first call loads the module (a failed load is retried by the next call). */
export function loadSharp(): Promise<Sharp> {
  loading ??= import('sharp').then(
    (module) => module.default,
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
