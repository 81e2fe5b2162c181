/**
 * `serve`: production serving of a configuration or server script with N worker processes.
 * The command runs in the primary only; the workers start from worker-entry.ts.
 */
import { resolve } from 'node:path';
import { loadServedApp } from '../../app/index.js';
import type { BindAddress } from '../bind.js';
import { loadReloadableApp } from '../reloadable-app.js';
import { isServerScript, loadTarget } from './load-target.js';
import { runPrimary, type ServeCluster } from './primary.js';

export interface ServeOptions {
  /** A mapproxy.yaml, or a server script (`.js`/`.mjs`) exporting `application`. */
  readonly target: string;
  readonly bind: BindAddress;
  /** Number of worker processes, at least 1. */
  readonly workers: number;
  readonly debug?: boolean;
  /** Python logging ini file the workers configure their logging from (the primary's is the caller's). */
  readonly logConfig?: string;
}

/**
 * Loads `target` and lets it go again; rejects as `loadTarget` does. Without the workers' warm-up:
 * the primary serves no request, and the image thread, undici and the lock module it started
 * there delayed the workers' fork and kept the thread for its idle minute (issue 13; `serve -w 2`
 * on the bench config, 6 alternating pairs on a loaded machine: the primary's CPU until ready
 * 1330 -> 990 ms, the group's 3880 -> 3580 ms, ready after 7.9 -> 6.9 s; its RSS 105 -> 85 MB).
 */
export async function checkTarget(target: string, debug: boolean): Promise<void> {
  if (!isServerScript(target)) {
    // a configuration is checked by building it, as makeApp builds it, without makeApp's HTTP
    // layer around it: the primary then never loads fastify (~100 files with semver, avvio and
    // find-my-way: its CPU until the workers listen 520 -> 410 ms, serve -w 2 of examples/mapproxy.yaml,
    // 6 alternating pairs)
    const loaded = await loadReloadableApp(target, (file) => loadServedApp(file, { warmUp: false }));
    await loaded.close();
    return;
  }
  const probe = await loadTarget(target, { debug, warmUp: false });
  await probe.close?.();
}

/**
 * Checks that `target` loads (rejecting with its configuration errors or `ServerError`), then
 * starts the workers.
 */
export async function serve(options: ServeOptions): Promise<ServeCluster> {
  // 1. fail fast with the configuration's own messages instead of N crashing workers
  await checkTarget(options.target, options.debug === true);
  // 2. each worker loads the target again and listens on the shared socket; a worker started
  // after the primary left its working directory (a crash's or a reload's) gets absolute paths
  const { target, bind, debug, logConfig } = options;
  return runPrimary({
    workers: Math.max(1, options.workers),
    displayHost: bind.displayHost,
    worker: {
      target: resolve(target),
      bind,
      cwd: process.cwd(),
      ...(debug === undefined ? {} : { debug }),
      ...(logConfig === undefined ? {} : { logConfig: resolve(logConfig) }),
    },
  });
}
