/**
 * The worker pool (piscina) that runs CPU-heavy pixel loops off the event loop. Created on first
 * use; idle threads exit after a while and never keep the process alive.
 */
import { ImageError } from './errors.js';
import type { MaskJob } from './fill-polygon.js';
import type { WorkerEncodeJob, WorkerJob } from './resample-worker.js';
import { processCores } from '../util/index.js';
import { lazyPool } from './thread-pool.js';

const pool = lazyPool('resample-worker', 'runResample', Math.max(1, Math.min(4, processCores() - 1)));

/**
 * Runs `job` on a worker thread; null when its mosaic has a tile the worker cannot decode. The
 * buffers in `transfer` are moved there (the caller gives them up), the rest of `job` is cloned.
 * Rejects with `ImageError` (`IMAGE_TRANSFORM`) when the worker fails.
 */
export function resampleInWorker(
  job: WorkerJob,
  transfer: readonly ArrayBuffer[] = [],
): Promise<Uint8Array | null> {
  return runTask(job, 'runResample', 'pixel buffer', transfer);
}

/**
 * Runs `job` and encodes its result as `job.encode` says on a worker thread: the PNG bytes, or
 * null as {@link resampleInWorker} (`transfer` as there). Rejects with `ImageError`
 * (`IMAGE_TRANSFORM`) when the worker fails.
 */
export function resampleEncodeInWorker(
  job: WorkerEncodeJob,
  transfer: readonly ArrayBuffer[] = [],
): Promise<Uint8Array | null> {
  return runTask(job, 'runResampleEncode', 'PNG', transfer);
}

async function runTask(
  job: WorkerJob,
  name: string,
  what: string,
  transfer: readonly ArrayBuffer[],
): Promise<Uint8Array | null> {
  try {
    const result: unknown = await pool.get().run(job, { name, transferList: [...transfer] });
    if (result === null && 'mosaic' in job) return null;
    if (!(result instanceof Uint8Array)) throw new Error(`worker returned no ${what}`);
    return result;
  } catch (error) {
    throw new ImageError(`resampling failed: ${(error as Error).message}`, 'IMAGE_TRANSFORM', {
      cause: error,
    });
  }
}

/**
 * The clip mask of `job` (mask.ts `drawMask`) drawn on a worker thread. Rejects with `ImageError`
 * (`IMAGE_TRANSFORM`) when the worker fails.
 */
export async function maskInWorker(job: MaskJob): Promise<Uint8Array> {
  try {
    const result: unknown = await pool.get().run(job, { name: 'runMask' });
    if (!(result instanceof Uint8Array)) throw new Error('worker returned no mask');
    return result;
  } catch (error) {
    throw new ImageError(`clip mask failed: ${(error as Error).message}`, 'IMAGE_TRANSFORM', {
      cause: error,
    });
  }
}

/** Stops the worker threads (e.g. on shutdown); a later call starts a fresh pool. */
export function closeImageWorkers(): Promise<void> {
  return pool.close();
}
