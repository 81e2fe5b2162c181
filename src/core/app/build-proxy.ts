/**
 * The composition root: everything a configuration describes, built once per (re)load:
 * grids → sources → caches → tile layers → services → the routes the server answers.
 */
import type { TileManager } from '../cache/index.js';
import { ConfigErrors, formatConfigProblem, type LoadedConfig } from '../config/index.js';
import type { TileGrid } from '../grid/index.js';
import type { TileLayer } from '../layer/index.js';
import type { MapSource } from '../source/index.js';
import { getLogger } from '../util/index.js';
import { buildCaches } from './build-caches.js';
import { buildGrids } from './build-grids.js';
import { buildServices } from './build-services.js';
import { buildSources } from './build-sources.js';
import { buildTileLayers } from './build-tile-layers.js';
import { checkCacheBackends } from './cache-backends.js';
import { closeRuntime } from './close-runtime.js';
import { hotTilesProblems } from './hot-tiles-config.js';
import { checkLockBackend } from './lock-backends.js';
import { useConfiguredProjData } from './proj-data-dir.js';
import { cacheImageOptions, formatEntryProblems } from './image-options.js';
import type { ServedApp } from './served-app.js';
import { unsupportedOptions } from './unsupported-options.js';

const log = getLogger('mapproxy.config');

/** Everything built from one configuration, by name; `served` is what the HTTP server uses. */
export interface ProxyRuntime {
  readonly grids: ReadonlyMap<string, TileGrid>;
  readonly sources: ReadonlyMap<string, MapSource>;
  /** TileManagers by cache name, then grid name. */
  readonly caches: ReadonlyMap<string, ReadonlyMap<string, TileManager>>;
  readonly tileLayers: readonly TileLayer[];
  readonly served: ServedApp;
  /** Releases the connections and files of the caches and locks (they reopen on use). */
  close(): Promise<void>;
}

/** How the build runs; the build itself is the same for serve, seed and check. */
export interface BuildProxyOptions {
  /** Log nothing (`check` reports the warnings itself). */
  readonly quiet?: boolean;
}

/**
 * Builds a runtime from a loaded configuration. Throws `ConfigError` positioned at the YAML.
 * Opens nothing: cache files and directories, Redis/S3 connections, upstream requests and
 * thread pools wait for first use, so `check` can run this build and `close()` it untouched.
 */
export function buildProxy(loaded: LoadedConfig, options: BuildProxyOptions = {}): ProxyRuntime {
  // 0. what the configuration asks for that we cannot do: refused, never ignored (issue 15);
  // with every cache's backend options and the lock backend, so one run names all of them
  const unsupported = unsupportedOptions(loaded);
  const refused = [
    ...unsupported.errors,
    ...checkCacheBackends(loaded),
    ...checkLockBackend(loaded),
    ...hotTilesProblems(loaded),
    ...formatEntryProblems(loaded),
  ];
  if (refused.length > 0) throw new ConfigErrors(refused, unsupported.warnings);
  // MapProxy's loader logs its warnings (unknown keys, deprecated defaults) on every load; the
  // loader's own and ours at their key, so serve, seed and export say what `check` says
  if (options.quiet !== true)
    for (const warning of [...loaded.warnings, ...unsupported.warnings])
      log.warn(formatConfigProblem(warning));
  useConfiguredProjData(loaded);
  // MapProxy's load_configuration says so on every load
  if (loaded.config.services.demo !== undefined && options.quiet !== true)
    log.warn('Application has demo page enabled. It is recommended to disable this in production.');
  const grids = buildGrids(loaded);
  const sources = buildSources(loaded, grids);
  const caches = buildCaches({ loaded, grids, sources, imageOptions: cacheImageOptions(loaded) });
  const tileLayers = buildTileLayers(loaded, caches, grids);
  const served = buildServices(loaded, tileLayers, { grids, sources, caches });
  return { grids, sources, caches, tileLayers, served, close: () => closeRuntime(loaded, caches) };
}
