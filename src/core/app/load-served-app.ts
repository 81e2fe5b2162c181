/**
 * Loads a configuration file and builds everything a server needs from it: grids, sources,
 * caches, tile layers and services. Every error names the YAML file, line and key.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../config/index.js';
import { getLogger } from '../util/index.js';
import { buildProxy } from './build-proxy.js';
import type { LoadedApp } from './served-app.js';

const log = getLogger('mapproxy.config');

/** Loads and builds `configFile`. Rejects with `ConfigErrors`/`ConfigError` for a broken config. */
export async function loadServedApp(configFile: string): Promise<LoadedApp> {
  // MapProxy's load_configuration: `reading: /abs/path/mapproxy.yaml` on every (re)load
  log.info(`reading: ${resolve(configFile)}`);
  const start = performance.now();
  const loaded = await loadConfig(configFile);
  const runtime = buildProxy(loaded);
  if (log.isEnabled('debug')) {
    const { config } = loaded;
    log.debug(
      `loaded ${resolve(configFile)} in ${String(Math.round(performance.now() - start))} ms ` +
        `(files: ${loaded.files.join(', ')}; services: ${Object.keys(runtime.served.routes).join(', ') || 'none'}; ` +
        `${String(Object.keys(config.caches).length)} caches, ${String(Object.keys(config.sources).length)} sources)`,
    );
  }
  return { app: runtime.served, files: loaded.files, close: () => runtime.close() };
}
