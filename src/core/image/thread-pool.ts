/**
 * Lazily created piscina pools for the image workers: the worker file beside this module (.ts
 * under tsx, .js when built), the resampling and palette pools on shared threads, idle threads
 * exit, and a thread failing outside a task is logged and its pool replaced (tasks reject).
 */
import { Piscina } from 'piscina';
import { Gate, getLogger } from '../util/index.js';

/** Under tsx (tests, bin/dev.js) this module is a .ts file and so are the workers. */
const RUNS_AS_TYPESCRIPT = import.meta.url.endsWith('.ts');

/**
 * Node flags for the workers, or undefined to inherit the process's. A bare `--import tsx`
 * resolves against the working directory, which may be anywhere (a seed run in the cache
 * directory): the worker then never starts and its tasks never settle. So bare tsx imports are
 * dropped, and under tsx the loader is added back by absolute URL (this also covers bin/dev.js,
 * whose programmatic registration workers do not inherit). Only tsx's require hook: piscina
 * loads the worker file with require() first, and on Node 20 a worker's own ESM hooks would cost a
 * loader thread per worker without ever serving its entry. Otherwise the flags are inherited:
 * Node refuses V8 flags (`--max-semi-space-size`, process-wide anyway) in an explicit list.
 */
function workerExecArgv(): string[] | undefined {
  const flags = withoutBareTsxImports(process.execArgv);
  if (RUNS_AS_TYPESCRIPT) return [...withoutV8Flags(flags), '--import', import.meta.resolve('tsx/cjs')];
  return flags.length === process.execArgv.length ? undefined : withoutV8Flags(flags);
}

/** V8's heap and GC flags, which a worker's explicit execArgv may not carry (they apply process-wide). */
const V8_FLAG =
  /^--(max|min)[-_](semi|old)[-_]space[-_]size|^--max[-_]heap[-_]size|^--stack[-_]size|^--(trace|expose)[-_]gc/;

/** `execArgv` without V8 heap and GC flags such as serve's `--max-semi-space-size=1` (server/cluster/worker-flags.ts). */
export function withoutV8Flags(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (const [i, flag] of execArgv.entries()) {
    if (V8_FLAG.test(flag)) continue;
    // the value of a dropped `--flag value`
    const previous = execArgv[i - 1];
    if (previous !== undefined && V8_FLAG.test(previous) && !previous.includes('=') && !flag.startsWith('-'))
      continue;
    kept.push(flag);
  }
  return kept;
}

const LOADER_FLAGS = new Set(['--import', '--loader', '--experimental-loader', '--require', '-r']);
const BARE_TSX = /^tsx(\/|$)/;

/** `execArgv` without `--import tsx`, `--import=tsx/esm`, `--loader tsx` and the like. */
export function withoutBareTsxImports(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  let skipNext = false;
  for (const [i, flag] of execArgv.entries()) {
    if (skipNext) {
      skipNext = false;
      continue;
    }
    const [name, inline] = flag.split(/=(.*)/s, 2) as [string, string | undefined];
    if (LOADER_FLAGS.has(name)) {
      const value = inline ?? execArgv[i + 1];
      if (value !== undefined && BARE_TSX.test(value)) {
        skipNext = inline === undefined;
        continue;
      }
    }
    kept.push(flag);
  }
  return kept;
}

/**
 * The threads allocate little JavaScript (pixels live in typed arrays and wasm memory), and V8's
 * default young generation let each grow by ~8-16 MB: measured on the bench, -15-20 MB peak RSS
 * per process at the same CPU per map.
 */
const WORKER_YOUNG_GENERATION_MB = 3;

/**
 * How long an idle image thread lives. Starting one again (isolate, modules, wasm, a heap grown
 * from 3 to 9 MB) costs 90-100 ms of CPU and 230-370 ms of wall time on a loaded machine; at 10 s
 * a `serve -w 2` worker creating cold meta tiles a few seconds apart started its thread again
 * every 13-15 s (bench/cold-threads.ts, --trace-gc), and the bench's cold burst on fresh workers
 * came after the threads started at load had exited. An idle thread holds 11-14 MB of RSS; it
 * never keeps a process alive.
 */
export const IMAGE_THREAD_IDLE_MS = threadIdleMs(process.env.MAPPROXY_TS_THREAD_IDLE_MS);

/**
 * The idle time from `MAPPROXY_TS_THREAD_IDLE_MS`, read once when this module loads: for tests
 * that must see the threads exit (a deleted working directory waited 63 s for them), not a
 * setting for users. Anything but a positive integer of milliseconds keeps the 60 s.
 */
export function threadIdleMs(setting: string | undefined): number {
  if (setting === undefined || !/^[1-9][0-9]*$/.test(setting)) return 60_000;
  return Number(setting);
}

/** What a pool's users call: piscina's `run` (with the pool's function as the default name) and its threads. */
export interface ImageThreads {
  run(task: unknown, options?: Parameters<Piscina['run']>[1]): Promise<unknown>;
  readonly threads: Piscina['threads'];
}

/** A pool created on first `get()`; `close()` stops its threads and a later `get()` starts anew. */
export interface LazyPool {
  get(): ImageThreads;
  close(): Promise<void>;
}

/**
 * Thread entries whose task functions image-worker.ts re-exports: their pools (with the same
 * flags) run on one set of threads. Each thread is an isolate with its own heap, modules and
 * garbage; the resampling and palette pools kept one each per `serve -w 2` worker (2 cores). On one
 * shared thread, peak RSS per worker in bench/rss-phases.ts's WMS phases went from 210-233 to
 * 182-215 MB (two paired runs, loaded machine).
 */
const SHARED_MODULES: ReadonlySet<string> = new Set(['resample-worker', 'palette-worker']);

/**
 * Tasks of a group waiting beyond those its threads run before it may use one more thread. Each
 * thread is an isolate with its heap and modules (~10 MB) and a malloc arena for its buffers (15
 * and 17 MB at a seed's peak, /proc smaps); piscina starts one for every task no idle thread can
 * take, so two meta tiles of a `seed -c 2` finishing together kept two threads for the whole run,
 * where one kept up: its peak RSS went from 202-251 to 174-196 MB (bench/seed-pair.ts, 3
 * alternating pairs) at the same CPU. `serve -w 2` on 2 cores has one thread per worker anyway.
 */
const QUEUED_TO_GROW = 2;

/** The most threads any group may grow to from now on ({@link limitImageThreads}); unlimited by default. */
let threadLimit = Number.POSITIVE_INFINITY;

/**
 * From now on no image thread group grows past `limit` threads (at least 1); threads already
 * running stay. For a process that knows its load better than the queue does: a seed run.
 */
export function limitImageThreads(limit: number): void {
  threadLimit = Math.max(1, Math.floor(limit));
}

/** One piscina, started on demand, and the pool handles using it now. */
class ThreadGroup {
  readonly #file: string;
  readonly #execArgv: readonly string[] | undefined;
  maxThreads = 0;
  /** A function of the file: piscina looks it up when a thread starts, before any task. */
  defaultName: string | undefined;
  readonly users = new Set<object>();
  #pool: Piscina | null = null;
  /** Tasks on piscina's threads at once: one, more while tasks queue, one again once all are done. */
  readonly #width = new Gate(1);
  /** Tasks asked of the group's pools and not settled, waiting in their own gates included. */
  #outstanding = 0;

  /** Counts `task` from the moment a pool is asked for it (before the pool's own gate). */
  async track<T>(task: () => Promise<T>): Promise<T> {
    this.#outstanding += 1;
    if (
      this.#outstanding >= this.#width.limit + QUEUED_TO_GROW &&
      this.#width.limit < Math.min(this.maxThreads, threadLimit)
    )
      this.#width.limit += 1;
    try {
      return await task();
    } finally {
      this.#outstanding -= 1;
      if (this.#outstanding === 0) this.#width.limit = 1;
    }
  }

  /** Runs `task` on the threads once fewer than the group's width run there. */
  run<T>(task: () => Promise<T>): Promise<T> {
    return this.#width.run(task);
  }

  constructor(workerBaseName: string, execArgv: readonly string[] | undefined) {
    this.#file = new URL(`./${workerBaseName}${RUNS_AS_TYPESCRIPT ? '.ts' : '.js'}`, import.meta.url).href;
    this.#execArgv = execArgv;
  }

  get threads(): Piscina['threads'] {
    return this.#pool?.threads ?? [];
  }

  pool(): Piscina {
    if (this.#pool !== null) return this.#pool;
    const created = new Piscina({
      filename: this.#file,
      name: this.defaultName,
      minThreads: 0,
      maxThreads: this.maxThreads,
      idleTimeout: IMAGE_THREAD_IDLE_MS,
      execArgv: this.#execArgv === undefined ? undefined : [...this.#execArgv],
      // Under tsx only: tsx writes its compiled-module cache asynchronously, and a thread that
      // waits for tasks in a blocking Atomics.wait ('sync') never finishes those writes (they
      // stay empty files), so every thread of every test process compiled its TypeScript with
      // a fresh esbuild process again. 'async' waits without blocking the thread's event loop.
      ...(RUNS_AS_TYPESCRIPT ? { atomics: 'async' as const } : {}),
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      // piscina's run and wait time histograms (0.35 MB of native memory each, read by nothing here)
      recordTiming: false,
    });
    this.#pool = created;
    // an error outside any task is a thread that could not start or died between tasks;
    // piscina would leave the queued tasks waiting for ever, so the pool is dropped (its
    // tasks reject) and the next task starts a new one
    created.on('error', (error: unknown) => {
      getLogger('mapproxy.image').error(
        `${this.#file.slice(this.#file.lastIndexOf('/') + 1)} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      if (this.#pool === created) this.#pool = null;
      void created.destroy();
    });
    return created;
  }

  async stop(): Promise<void> {
    const current = this.#pool;
    this.#pool = null;
    await current?.destroy();
  }
}

/** The shared groups by their flags. */
const sharedGroups = new Map<string, ThreadGroup>();

function threadGroup(workerBaseName: string, execArgv: readonly string[] | undefined): ThreadGroup {
  if (!SHARED_MODULES.has(workerBaseName)) return new ThreadGroup(workerBaseName, execArgv);
  const key = JSON.stringify(execArgv ?? null);
  let group = sharedGroups.get(key);
  if (group === undefined) {
    group = new ThreadGroup('image-worker', execArgv);
    sharedGroups.set(key, group);
  }
  return group;
}

/**
 * A pool running the function `name` exported by `./<workerBaseName>.(ts|js)`, at most
 * `maxThreads` tasks at once. Pools of the modules image-worker.ts gathers share their threads
 * (as many as the largest of them asks for); the threads stop when every pool sharing them is closed.
 */
export function lazyPool(
  workerBaseName: string,
  name: string,
  maxThreads: number,
  execArgv: readonly string[] | undefined = workerExecArgv(),
): LazyPool {
  const group = threadGroup(workerBaseName, execArgv);
  group.maxThreads = Math.max(group.maxThreads, maxThreads);
  group.defaultName ??= name;
  // the pool's own limit, now that its threads may be more than it asked for
  const gate = new Gate(maxThreads);
  const handle = {};
  const threads: ImageThreads = {
    run: (task, options) =>
      group.track(() =>
        gate.run(() => group.run(() => group.pool().run(task, { ...options, name: options?.name ?? name }))),
      ),
    get threads() {
      return group.threads;
    },
  };
  return {
    get() {
      group.users.add(handle);
      group.pool();
      return threads;
    },
    async close() {
      group.users.delete(handle);
      if (group.users.size === 0) await group.stop();
    },
  };
}
