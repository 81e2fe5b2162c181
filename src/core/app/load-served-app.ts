/**
 * Loads a configuration file and builds everything a server needs from it: grids, sources,
 * caches, tile layers and services. Every error names the YAML file, line and key.
 */
import { loadConfig } from '../config/index.js';
import { buildProxy } from './build-proxy.js';
import type { LoadedApp } from './served-app.js';

/** Loads and builds `configFile`. Rejects with `ConfigErrors`/`ConfigError` for a broken config. */
export async function loadServedApp(configFile: string): Promise<LoadedApp> {
  const loaded = await loadConfig(configFile);
  const runtime = buildProxy(loaded);
  return { app: runtime.served, files: loaded.files };
}
