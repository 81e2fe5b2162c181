/**
 * `runServer`: load a configuration, listen, and (for serve-develop) reload when the config or
 * one of its `base:` files changes. A broken edit is logged and the last good app keeps serving.
 */
import { closedSignal } from './closed-signal.js';
import { watch, type FSWatcher } from 'chokidar';
import { getLogger } from '../util/index.js';
import type { BindAddress } from './bind.js';
import { buildServer } from './build-server.js';
import { applyClientLimits, type ClientLimits } from './client-limits.js';
import { listenOn } from './listen.js';
import type { AppLoader, LoadedApp } from '../app/index.js';

export interface RunServerOptions {
  readonly configFile: string;
  readonly bind: BindAddress;
  /** Builds the app from the configuration (app/'s composition root). */
  readonly loadApp: AppLoader;
  /** Watch the configuration files and reload on change. */
  readonly reload?: boolean;
  /** Error details in 500 bodies. */
  readonly debug?: boolean;
  /** How long a client may take to send a request (default `DEFAULT_CLIENT_LIMITS`). */
  readonly clientLimits?: ClientLimits;
}

/** What a reload attempt ended in: the new files, or the error that kept the old app. */
export type ReloadOutcome =
  { readonly ok: true; readonly files: readonly string[] } | { readonly ok: false; readonly error: unknown };

export interface RunningServer {
  /** `http://displayHost:port`, with the real port when the bind asked for 0. */
  readonly url: string;
  /** The port actually listened on. */
  readonly port: number;
  /** Calls `listener` after every reload attempt. Returns an unsubscribe function. */
  onReload(listener: (outcome: ReloadOutcome) => void): () => void;
  /** Stops watching and listening; resolves when every connection is closed. */
  close(): Promise<void>;
  /** Resolves when the server has been closed. */
  readonly closed: Promise<void>;
}

const log = getLogger('mapproxy.config');
/** Editors write a file in several steps; wait this long after the last event before reloading. */
const RELOAD_DEBOUNCE_MS = 100;

/**
 * Loads `configFile` and listens on `bind`. Rejects with the configuration's errors when the
 * first load fails, and with `ServerError` (`SERVER_LISTEN`) when the address cannot be used.
 */
export async function runServer(options: RunServerOptions): Promise<RunningServer> {
  let loaded: LoadedApp = await options.loadApp(options.configFile);
  const server = buildServer(() => loaded.app, { debug: options.debug === true });
  if (options.clientLimits !== undefined) applyClientLimits(server.server, options.clientLimits);
  const { port, url } = await listenOn(server, options.bind);

  const listeners = new Set<(outcome: ReloadOutcome) => void>();
  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  let reloading: Promise<void> = Promise.resolve();

  const reload = async (): Promise<void> => {
    let outcome: ReloadOutcome;
    try {
      const next = await options.loadApp(options.configFile);
      const added = next.files.filter((f) => !loaded.files.includes(f));
      const removed = loaded.files.filter((f) => !next.files.includes(f));
      const previous = loaded;
      loaded = next;
      // requests still running on the previous app reopen what they need
      await previous.close?.();
      watcher?.add(added);
      watcher?.unwatch(removed);
      log.info(`reloaded configuration ${options.configFile}`);
      outcome = { ok: true, files: next.files };
    } catch (error) {
      log.error(
        `could not reload ${options.configFile}, still serving the previous configuration:\n${describe(error)}`,
      );
      outcome = { ok: false, error };
    }
    for (const listener of listeners) listener(outcome);
  };

  if (options.reload === true) {
    watcher = watch([...loaded.files], { ignoreInitial: true });
    watcher.on('all', (_event, file) => {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        log.info(`detected change in '${file}', reloading`);
        reloading = reloading.then(reload);
      }, RELOAD_DEBOUNCE_MS);
    });
  }

  const { closed, markClosed } = closedSignal();
  return {
    url,
    port,
    onReload(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (timer !== null) clearTimeout(timer);
      await watcher?.close();
      await reloading;
      await server.close();
      await loaded.close?.();
      markClosed();
    },
    closed,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
