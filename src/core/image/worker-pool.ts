/**
 * The worker pool (piscina) that runs CPU-heavy pixel loops off the event loop. Created on first
 * use; idle threads exit after a while and never keep the process alive.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { ImageError } from './errors.js';
import type { ResampleJob } from './resample.js';

let pool: Piscina | null = null;

function workerFile(): string {
  // under tsx (tests, bin/dev.js) this module is a .ts file and so is its worker
  const self = import.meta.url;
  return new URL(self.endsWith('.ts') ? './resample-worker.ts' : './resample-worker.js', self).href;
}

function getPool(): Piscina {
  pool ??= new Piscina({
    filename: workerFile(),
    name: 'runResample',
    minThreads: 0,
    maxThreads: Math.max(1, Math.min(4, availableParallelism() - 1)),
    idleTimeout: 10_000,
  });
  return pool;
}

/** Runs `job` on a worker thread. Rejects with `ImageError` (`IMAGE_TRANSFORM`) when the worker fails. */
export async function resampleInWorker(job: ResampleJob): Promise<Uint8Array> {
  try {
    const result: unknown = await getPool().run(job);
    if (!(result instanceof Uint8Array)) throw new Error('worker returned no pixel buffer');
    return result;
  } catch (error) {
    throw new ImageError(`resampling failed: ${(error as Error).message}`, 'IMAGE_TRANSFORM', {
      cause: error,
    });
  }
}

/** Stops the worker threads (e.g. on shutdown); a later call starts a fresh pool. */
export async function closeImageWorkers(): Promise<void> {
  const current = pool;
  pool = null;
  await current?.destroy();
}
