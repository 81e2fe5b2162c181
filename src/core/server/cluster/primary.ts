/**
 * The `serve` primary process: forks N workers on one shared socket (node:cluster, round robin),
 * replaces a worker that dies (with a growing delay while replacements fail to start), drains every
 * worker on SIGTERM/SIGINT and on SIGHUP replaces the workers one by one (new one listening before
 * the old one drains), so no request is refused and a failed reload keeps the old workers.
 */
import { closedSignal } from '../closed-signal.js';
import cluster, { type Worker } from 'node:cluster';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterMetricsText, getLogger, processCores, PROCESSES_ENV } from '../../util/index.js';
import { hostAndPort } from '../bind.js';
import { ServerError } from '../errors.js';
import { DRAIN, metricsRequestId, startFailure, type MetricsReply } from './messages.js';
import { workerAllocatorEnv, workerNodeFlags } from './worker-flags.js';
import { workerOptionsEnv, type WorkerOptions } from './worker-options.js';

export interface PrimaryOptions {
  readonly workers: number;
  /** Display host for the URL. */
  readonly displayHost: string;
  /** What every worker serves. */
  readonly worker: WorkerOptions;
  /** How long a retired worker may take to exit after draining before it is killed. */
  readonly exitTimeoutMs?: number;
}

/** The running cluster as the `serve` command sees it. */
export interface ServeCluster {
  readonly role: 'primary';
  /** `http://displayHost:port`, the real port when the bind asked for 0. */
  readonly url: string;
  /** Process ids of the current workers. */
  workerPids(): readonly number[];
  /** Replaces every worker one by one; resolves when the old ones have exited. */
  reload(): Promise<void>;
  /** Drains and stops every worker. */
  close(): Promise<void>;
  /** Resolves when every worker has stopped after `close` (or a signal). */
  readonly closed: Promise<void>;
}

const log = getLogger('mapproxy.server');
/** The workers' main module, compiled beside this one, or its source when this runs from src/ through tsx. */
const WORKER_ENTRY = fileURLToPath(
  new URL(`./worker-entry${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);
/** A worker that dies sooner than this after it started listening counts as a failed start. */
const QUICK_DEATH_MS = 2000;
/** Longest wait between attempts to replace a worker that keeps failing to start. */
const MAX_RESTART_DELAY_MS = 60_000;

/**
 * How long to wait before starting a replacement after `failedStarts` consecutive failed starts:
 * none for the first, then 1 s, doubling up to a minute, so a broken target is no tight loop.
 */
export function restartDelayMs(failedStarts: number): number {
  if (failedStarts <= 0) return 0;
  return Math.min(1000 * 2 ** (failedStarts - 1), MAX_RESTART_DELAY_MS);
}

/**
 * Waits for `worker` to listen; rejects with the worker's own reason when it reports a failed
 * start, or with its exit status when it exits first.
 */
function listening(worker: Worker): Promise<number> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      worker.off('listening', onListening);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
    };
    const onListening = (address: { port: number }): void => {
      done();
      resolve(address.port);
    };
    const onMessage = (message: unknown): void => {
      const failure = startFailure(message);
      if (failure === null) return;
      done();
      // SERVER_LISTEN keeps its hint (another -b address), as serve-develop gives it
      reject(new ServerError(failure.reason, failure.code));
    };
    const onExit = (code: number | null, signal: string | null): void => {
      done();
      reject(
        new ServerError(
          `worker ${worker.process.pid ?? '?'} exited (${signal ?? String(code)}) before listening`,
          'SERVER_WORKER_FAILED',
        ),
      );
    };
    worker.on('listening', onListening);
    worker.on('message', onMessage);
    worker.on('exit', onExit);
  });
}

function exited(worker: Worker): Promise<void> {
  if (worker.isDead()) return Promise.resolve();
  return new Promise((resolve) =>
    worker.once('exit', () => {
      resolve();
    }),
  );
}

/** A worker's `/metrics` request: every connected worker's metrics, summed, back to the asker. */
function answerMetrics(worker: Worker, message: unknown): void {
  const id = metricsRequestId(message);
  if (id === null) return;
  const reply = (answer: Omit<MetricsReply, 'mapproxy' | 'id'>): void => {
    if (worker.isConnected()) worker.send({ mapproxy: 'metrics', id, ...answer } satisfies MetricsReply);
  };
  clusterMetricsText().then(
    (text) => {
      reply({ text });
    },
    (error: unknown) => {
      reply({ error: messageOf(error) });
    },
  );
}

/** Never settles: the start was stopped by a signal, which ends the process once the workers are gone. */
function untilTheSignalEndsUs(): Promise<never> {
  return new Promise<never>(() => undefined);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Starts `options.workers` workers (worker-entry.ts, serving `options.worker`) and resolves once all
 * listen. Rejects with `ServerError` (`SERVER_WORKER_FAILED`) when a first worker cannot start.
 */
export async function runPrimary(options: PrimaryOptions): Promise<ServeCluster> {
  /** Workers that listen and serve: always `options.workers` of them once started. */
  const current = new Set<Worker>();
  const retiring = new Set<Worker>();
  /** Forked and not yet listening (a first start, a reload's or a crash's replacement). */
  const starting = new Set<Worker>();
  const listeningSince = new Map<Worker, number>();
  let stopping = false;
  /** Consecutive replacement workers that could not start (or died at once): the backoff step. */
  let failedStarts = 0;

  // the command line stays as the workers' arguments, so that `ps` shows what they serve
  cluster.setupPrimary({ exec: WORKER_ENTRY, execArgv: workerNodeFlags(process.execArgv, WORKER_ENTRY) });
  // a worker joins `current` once it listens; one that never does is its starter's business
  const fork = (): Worker => {
    // each worker sizes its thread pools for its share of the cores; malloc: see worker-flags.ts
    const worker = cluster.fork({
      [PROCESSES_ENV]: String(options.workers),
      ...workerAllocatorEnv(process.env, processCores({ [PROCESSES_ENV]: String(options.workers) })),
      ...workerOptionsEnv(options.worker),
    });
    worker.on('message', (message: unknown) => {
      answerMetrics(worker, message);
    });
    starting.add(worker);
    worker.once('listening', () => {
      // a worker that comes up after a stop began stays in `starting`, which the stop ends
      if (stopping) return;
      starting.delete(worker);
      current.add(worker);
      listeningSince.set(worker, Date.now());
      log.info(`worker ${worker.process.pid ?? '?'} started`);
    });
    worker.on('exit', (code, signal) => {
      starting.delete(worker);
      const wasCurrent = current.delete(worker);
      if (stopping || retiring.delete(worker) || !wasCurrent) return;
      const quick = Date.now() - (listeningSince.get(worker) ?? 0) < QUICK_DEATH_MS;
      failedStarts = quick ? failedStarts + 1 : 0;
      const delayMs = restartDelayMs(failedStarts);
      const when = delayMs > 0 ? ` in ${String(delayMs / 1000)} s` : '';
      log.warn(
        `worker ${worker.process.pid ?? '?'} died (${signal ? signal : `exit code ${String(code)}`}), starting a new one${when}`,
      );
      replace();
    });
    return worker;
  };

  /** Removes a worker that failed to start, killing it if it lingers. */
  const discard = (worker: Worker): Promise<void> => {
    if (!worker.isDead()) worker.process.kill('SIGTERM');
    return exited(worker);
  };

  // a replacement that cannot start is retried with a growing delay, one log line per attempt
  const replace = (): void => {
    setTimeout(() => {
      if (stopping) return;
      const worker = fork();
      listening(worker).then(
        () => undefined,
        async (error: unknown) => {
          await discard(worker);
          if (stopping) return;
          failedStarts++;
          log.error(
            `worker could not start: ${messageOf(error)}; retrying in ${String(restartDelayMs(failedStarts) / 1000)} s`,
          );
          replace();
        },
      );
    }, restartDelayMs(failedStarts));
  };

  const retire = (worker: Worker): Promise<void> => {
    current.delete(worker);
    retiring.add(worker);
    if (worker.isConnected()) worker.send(DRAIN);
    const gone = exited(worker);
    // a worker that drained but lingers (an open handle in a server script) is killed
    worker.once('disconnect', () => {
      setTimeout(() => {
        if (!worker.isDead()) worker.process.kill('SIGKILL');
      }, options.exitTimeoutMs ?? 5000).unref();
    });
    return gone;
  };

  // a stop signal before the workers listen stops them, then ends the primary by that same signal,
  // as it would have ended without a handler: no worker is left behind (each died writing an EPIPE
  // trace on the dead primary's channel) and a service manager sees a stop, not a failure
  let first: Worker[] = [];
  const startup: { stoppedBy: NodeJS.Signals | null } = { stoppedBy: null };
  const onStopWhileStarting = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    startup.stoppedBy = signal;
    log.info(`stopping: ${signal} before the workers listened`);
    void Promise.all(first.map(discard)).then(() => {
      stopListening();
      process.kill(process.pid, signal);
    });
  };
  const stopListening = (): void => {
    process.off('SIGTERM', onStopWhileStarting);
    process.off('SIGINT', onStopWhileStarting);
  };
  process.on('SIGTERM', onStopWhileStarting);
  process.on('SIGINT', onStopWhileStarting);
  first = Array.from({ length: options.workers }, () => fork());
  let port: number;
  try {
    [port] = (await Promise.all(first.map(listening))) as [number];
  } catch (error) {
    if (startup.stoppedBy !== null) return untilTheSignalEndsUs();
    stopListening();
    stopping = true;
    for (const worker of first) worker.process.kill('SIGTERM');
    throw error;
  }
  if (startup.stoppedBy !== null) return untilTheSignalEndsUs();
  stopListening();

  log.info(`serving on port ${port} with ${options.workers} worker(s), primary pid ${process.pid}`);
  let reloading: Promise<void> = Promise.resolve();
  // one new worker at a time, and an old one retires only once its successor listens: a
  // configuration that does not load leaves the old workers serving, until the next SIGHUP
  const reload = (): Promise<void> => {
    reloading = reloading.then(async () => {
      log.info(`reloading ${current.size} workers`);
      const old = [...current];
      const gone: Promise<void>[] = [];
      let stopped = false;
      for (const worker of old) {
        stopped = stopping;
        if (stopped) break;
        const next = fork();
        try {
          await listening(next);
        } catch (error) {
          await discard(next);
          stopped = stopping;
          if (stopped) break;
          log.error(`reload failed: ${messageOf(error)}; keeping ${String(current.size)} workers`);
          await Promise.all(gone);
          return;
        }
        gone.push(retire(worker));
      }
      await Promise.all(gone);
      log.info(stopped ? 'reload ended by the stop' : 'reload finished');
    });
    return reloading;
  };

  const { closed, markClosed } = closedSignal();
  const close = async (): Promise<void> => {
    if (!stopping) {
      stopping = true;
      log.info('stopping: draining all workers');
      // a reload's new worker may be starting: stopped too, or it serves on with nobody to stop it
      await Promise.all([...[...current, ...retiring].map(retire), ...[...starting].map(discard)]);
      process.off('SIGHUP', onHup);
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
      markClosed();
    }
    return closed;
  };
  const onHup = (): void => void reload();
  const onStop = (): void => void close();
  process.on('SIGHUP', onHup);
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);

  return {
    role: 'primary',
    url: `http://${hostAndPort(options.displayHost, port)}`,
    workerPids: () => [...current].map((w) => w.process.pid ?? 0),
    reload,
    close,
    closed,
  };
}
