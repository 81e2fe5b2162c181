/** `startServer`: serve one MapProxy configuration, built by app/'s composition root. */
import { loadServedApp } from '../app/index.js';
import { runServer, type RunningServer, type RunServerOptions } from './start-server.js';

export type StartServerOptions = Omit<RunServerOptions, 'loadApp'>;

/**
 * Loads `configFile`, listens on `bind` and, with `reload`, follows edits of the config and its
 * `base:` files. Rejects with `ConfigErrors` when the configuration is broken at start.
 */
export function startServer(options: StartServerOptions): Promise<RunningServer> {
  return runServer({ ...options, loadApp: loadServedApp });
}
