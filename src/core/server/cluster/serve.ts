/**
 * `serve`: production serving of a configuration or server script with N worker processes.
 * The command runs in the primary and again in every worker (node:cluster forks the same
 * command line); this function plays the role the process has.
 */
import cluster from 'node:cluster';
import type { BindAddress } from '../bind.js';
import { loadTarget } from './load-target.js';
import { runPrimary, type ServeCluster } from './primary.js';
import { runWorker } from './worker.js';

export interface ServeOptions {
  /** A mapproxy.yaml, or a server script (`.js`/`.mjs`) exporting `application`. */
  readonly target: string;
  readonly bind: BindAddress;
  /** Number of worker processes, at least 1. */
  readonly workers: number;
  readonly debug?: boolean;
}

/** A worker's view: it only waits for its drain. */
export interface ServeWorker {
  readonly role: 'worker';
  readonly closed: Promise<void>;
}

/**
 * In the primary: checks that `target` loads (rejecting with its configuration errors or
 * `ServerError`), then starts the workers. In a worker: serves until drained.
 */
export async function serve(options: ServeOptions): Promise<ServeCluster | ServeWorker> {
  if (!cluster.isPrimary) {
    return { role: 'worker', closed: runWorker(options) };
  }
  // 1. fail fast with the configuration's own messages instead of N crashing workers
  const probe = await loadTarget(options.target, { debug: options.debug === true });
  await probe.close?.();
  // 2. workers re-run this command line (process.argv) and take the branch above
  return runPrimary({ workers: Math.max(1, options.workers), displayHost: options.bind.displayHost });
}
