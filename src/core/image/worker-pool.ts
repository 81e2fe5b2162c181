/**
 * The worker pool (piscina) that runs CPU-heavy pixel loops off the event loop. Created on first
 * use; idle threads exit after a while and never keep the process alive.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { getLogger } from '../util/index.js';
import { ImageError } from './errors.js';
import type { ResampleJob } from './resample.js';

let pool: Piscina | null = null;

/** Under tsx (tests, bin/dev.js) this module is a .ts file and so is its worker. */
const RUNS_AS_TYPESCRIPT = import.meta.url.endsWith('.ts');

function workerFile(): string {
  return new URL(RUNS_AS_TYPESCRIPT ? './resample-worker.ts' : './resample-worker.js', import.meta.url).href;
}

/**
 * A worker inherits `--import tsx` from the command line, but not tsx's programmatic registration
 * (bin/dev.js); so it is loaded explicitly, by absolute URL as the cwd may be anywhere.
 */
function workerExecArgv(): string[] {
  if (!RUNS_AS_TYPESCRIPT) return process.execArgv;
  return [...process.execArgv, '--import', import.meta.resolve('tsx')];
}

function getPool(): Piscina {
  if (pool === null) {
    pool = new Piscina({
      filename: workerFile(),
      name: 'runResample',
      minThreads: 0,
      maxThreads: Math.max(1, Math.min(4, availableParallelism() - 1)),
      idleTimeout: 10_000,
      execArgv: workerExecArgv(),
    });
    // a worker that dies outside a task must not take the server down; tasks reject on their own
    pool.on('error', (error: unknown) => {
      getLogger('mapproxy.image').error(`image worker failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
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
