/**
 * Lazily created piscina pools for the image workers: the worker file beside this module (.ts
 * under tsx, .js when built), idle threads exit, and a thread dying outside a task is logged
 * instead of ending the process (its tasks reject on their own).
 */
import { Piscina } from 'piscina';
import { getLogger } from '../util/index.js';

/** Under tsx (tests, bin/dev.js) this module is a .ts file and so are the workers. */
const RUNS_AS_TYPESCRIPT = import.meta.url.endsWith('.ts');

/**
 * A worker inherits `--import tsx` from the command line, but not tsx's programmatic registration
 * (bin/dev.js); so it is loaded explicitly, by absolute URL as the cwd may be anywhere.
 */
function workerExecArgv(): string[] {
  if (!RUNS_AS_TYPESCRIPT) return process.execArgv;
  return [...process.execArgv, '--import', import.meta.resolve('tsx')];
}

/** A pool created on first `get()`; `close()` stops its threads and a later `get()` starts anew. */
export interface LazyPool {
  get(): Piscina;
  close(): Promise<void>;
}

/** A pool running the function `name` exported by `./<workerBaseName>.(ts|js)`. */
export function lazyPool(workerBaseName: string, name: string, maxThreads: number): LazyPool {
  let pool: Piscina | null = null;
  return {
    get() {
      if (pool === null) {
        pool = new Piscina({
          filename: new URL(`./${workerBaseName}${RUNS_AS_TYPESCRIPT ? '.ts' : '.js'}`, import.meta.url).href,
          name,
          minThreads: 0,
          maxThreads,
          idleTimeout: 10_000,
          execArgv: workerExecArgv(),
        });
        pool.on('error', (error: unknown) => {
          getLogger('mapproxy.image').error(`${workerBaseName} failed: ${error instanceof Error ? error.message : String(error)}`);
        });
      }
      return pool;
    },
    async close() {
      const current = pool;
      pool = null;
      await current?.destroy();
    },
  };
}
