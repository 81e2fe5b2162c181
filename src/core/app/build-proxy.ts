/**
 * The composition root: everything a configuration describes, built once per (re)load:
 * grids → sources → caches → tile layers → services → the routes the server answers.
 */
import type { TileManager } from '../cache/index.js';
import type { LoadedConfig } from '../config/index.js';
import type { TileGrid } from '../grid/index.js';
import type { TileLayer } from '../layer/index.js';
import type { MapSource } from '../source/index.js';
import { buildCaches } from './build-caches.js';
import { buildGrids } from './build-grids.js';
import { buildServices } from './build-services.js';
import { buildSources } from './build-sources.js';
import { buildTileLayers } from './build-tile-layers.js';
import { cacheImageOptions } from './image-options.js';
import type { ServedApp } from './served-app.js';

/** Everything built from one configuration, by name; `served` is what the HTTP server uses. */
export interface ProxyRuntime {
  readonly grids: ReadonlyMap<string, TileGrid>;
  readonly sources: ReadonlyMap<string, MapSource>;
  /** TileManagers by cache name, then grid name. */
  readonly caches: ReadonlyMap<string, ReadonlyMap<string, TileManager>>;
  readonly tileLayers: readonly TileLayer[];
  readonly served: ServedApp;
}

/** Builds a runtime from a loaded configuration. Throws `ConfigError` positioned at the YAML. */
export function buildProxy(loaded: LoadedConfig): ProxyRuntime {
  const grids = buildGrids(loaded);
  const sources = buildSources(loaded, grids);
  const caches = buildCaches({ loaded, grids, sources, imageOptions: cacheImageOptions(loaded) });
  const tileLayers = buildTileLayers(loaded, caches);
  const served = buildServices(loaded, tileLayers, { grids, sources, caches });
  return { grids, sources, caches, tileLayers, served };
}
