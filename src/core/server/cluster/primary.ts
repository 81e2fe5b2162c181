/**
 * The `serve` primary process: forks N workers on one shared socket (node:cluster, round robin),
 * replaces a worker that dies, drains every worker on SIGTERM/SIGINT and on SIGHUP replaces the
 * workers one by one (new one listening before the old one drains), so no request is refused.
 */
import { closedSignal } from '../closed-signal.js';
import cluster, { type Worker } from 'node:cluster';
import { getLogger } from '../../util/index.js';
import { ServerError } from '../errors.js';
import { DRAIN } from './messages.js';

export interface PrimaryOptions {
  readonly workers: number;
  /** Display host for the URL. */
  readonly displayHost: string;
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
/** A worker that dies sooner than this after its start is restarted with a delay (crash loop). */
const QUICK_DEATH_MS = 2000;

/** Waits for `worker` to listen; rejects when it exits first. */
function listening(worker: Worker): Promise<number> {
  return new Promise((resolve, reject) => {
    const onListening = (address: { port: number }): void => {
      worker.off('exit', onExit);
      resolve(address.port);
    };
    const onExit = (code: number | null, signal: string | null): void => {
      worker.off('listening', onListening);
      reject(new ServerError(`worker ${worker.process.pid ?? '?'} exited (${signal ?? String(code)}) before listening`, 'SERVER_WORKER_FAILED'));
    };
    worker.once('listening', onListening);
    worker.once('exit', onExit);
  });
}

function exited(worker: Worker): Promise<void> {
  if (worker.isDead()) return Promise.resolve();
  return new Promise((resolve) => worker.once('exit', () => { resolve(); }));
}

/**
 * Starts `options.workers` workers (each re-runs this command, see `serve`) and resolves once all
 * listen. Rejects with `ServerError` (`SERVER_WORKER_FAILED`) when a first worker cannot start.
 */
export async function runPrimary(options: PrimaryOptions): Promise<ServeCluster> {
  const current = new Set<Worker>();
  const retiring = new Set<Worker>();
  const startedAt = new Map<Worker, number>();
  let stopping = false;

  const fork = (): Worker => {
    const worker = cluster.fork();
    log.info(`worker ${worker.process.pid ?? '?'} started`);
    current.add(worker);
    startedAt.set(worker, Date.now());
    worker.on('exit', (code, signal) => {
      const wasCurrent = current.delete(worker);
      if (stopping || retiring.delete(worker) || !wasCurrent) return;
      const quick = Date.now() - (startedAt.get(worker) ?? 0) < QUICK_DEATH_MS;
      log.warn(`worker ${worker.process.pid ?? '?'} died (${signal ? signal : `exit code ${String(code)}`}), starting a new one`);
      setTimeout(() => {
        if (!stopping) listening(fork()).catch(() => undefined);
      }, quick ? QUICK_DEATH_MS : 0);
    });
    return worker;
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

  const first = Array.from({ length: options.workers }, () => fork());
  let port: number;
  try {
    [port] = await Promise.all(first.map(listening)) as [number];
  } catch (error) {
    stopping = true;
    for (const worker of first) worker.process.kill('SIGTERM');
    throw error;
  }

  log.info(`serving on port ${port} with ${options.workers} worker(s), primary pid ${process.pid}`);
  let reloading: Promise<void> = Promise.resolve();
  const reload = (): Promise<void> => {
    reloading = reloading.then(async () => {
      log.info(`reloading ${current.size} workers`);
      const old = [...current];
      const gone: Promise<void>[] = [];
      for (const worker of old) {
        if (stopping) break;
        const next = fork();
        try {
          await listening(next);
        } catch (error) {
          // a new worker that cannot start (broken configuration): keep the old ones serving
          log.error(`reload aborted, the previous workers keep serving: ${error instanceof Error ? error.message : String(error)}`);
          break;
        }
        gone.push(retire(worker));
      }
      await Promise.all(gone);
      log.info('reload finished');
    });
    return reloading;
  };

  const { closed, markClosed } = closedSignal();
  const close = async (): Promise<void> => {
    if (!stopping) {
      stopping = true;
      log.info('stopping: draining all workers');
      await Promise.all([...current, ...retiring].map(retire));
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
    url: `http://${options.displayHost}:${port}`,
    workerPids: () => [...current].map((w) => w.process.pid ?? 0),
    reload,
    close,
    closed,
  };
}
