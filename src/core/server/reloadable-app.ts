/**
 * A built app that follows its configuration files by modification time, checked on demand
 * (MapProxy's ReloaderApp): a changed config or `base:` file is rebuilt before the next request;
 * a broken edit is logged once and the previous app keeps serving.
 */
import { stat } from 'node:fs/promises';
import { getLogger } from '../util/index.js';
import type { AppLoader, LoadedApp, ServedApp } from '../app/index.js';

export interface ReloadableApp {
  /** The app that answers now. */
  current(): ServedApp;
  /** Absolute paths of the files the current app was built from. */
  files(): readonly string[];
  /** Rebuilds when a file changed since the last attempt; resolves once the app is current. */
  refresh(): Promise<void>;
  /** Releases the current app's connections and files. */
  close(): Promise<void>;
}

const log = getLogger('mapproxy.config');

/** Modification times in ms by file; a missing file counts as `-1`. */
async function mtimes(files: readonly string[]): Promise<Map<string, number>> {
  const times = await Promise.all(files.map((file) => stat(file).then((s) => s.mtimeMs, () => -1)));
  return new Map(files.map((file, i) => [file, times[i] ?? -1]));
}

function changed(seen: ReadonlyMap<string, number>, now: ReadonlyMap<string, number>): boolean {
  for (const [file, time] of now) if (seen.get(file) !== time) return true;
  return false;
}

/**
 * Loads `configFile` with `loadApp`. Rejects with the configuration's errors when this first
 * load fails; later failures only log (`mapproxy.config`, ERROR).
 */
export async function loadReloadableApp(configFile: string, loadApp: AppLoader): Promise<ReloadableApp> {
  const load = async (): Promise<{ loaded: LoadedApp; seen: Map<string, number> }> => {
    // 1. record the times before reading, so an edit during the load triggers another reload
    const before = await mtimes([configFile]);
    const loaded = await loadApp(configFile);
    const seen = await mtimes(loaded.files);
    for (const [file, time] of before) seen.set(file, time);
    return { loaded, seen };
  };
  let { loaded, seen } = await load();
  let pending: Promise<void> | null = null;

  const reload = async (now: Map<string, number>): Promise<void> => {
    try {
      const previous = loaded;
      ({ loaded, seen } = await load());
      await previous.close?.();
      log.info(`reloaded configuration ${configFile}`);
    } catch (error) {
      // 2. remember the broken state so it is reported once, not on every request
      seen = now;
      const why = error instanceof Error ? error.message : String(error);
      log.error(`could not reload ${configFile}, still serving the previous configuration:\n${why}`);
    }
  };

  return {
    current: () => loaded.app,
    files: () => loaded.files,
    async close() {
      await pending;
      await loaded.close?.();
    },
    refresh() {
      // one check at a time: concurrent requests wait for the same stat (and reload)
      pending ??= (async () => {
        const now = await mtimes([...seen.keys()]);
        if (changed(seen, now)) await reload(now);
      })().finally(() => {
        pending = null;
      });
      return pending;
    },
  };
}
