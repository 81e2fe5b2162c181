/**
 * The tile layers the tile services (TMS, WMTS, KML) publish: MapProxy's rule is a named layer
 * whose `sources` (or `tile_sources`) is exactly one cache, published once per grid of that cache.
 */
import type { TileManager } from '../cache/index.js';
import type { LayerConfig, LoadedConfig } from '../config/index.js';
import { CacheTileLayer, type TileLayer } from '../layer/index.js';
import type { BBox } from '../util/index.js';
import type { CacheRegistry } from './build-caches.js';
import { cacheCoverageExtent } from './cache-extent.js';

/** Every tile layer in layer-tree order (parents before children), each grid of its cache in order. */
export function buildTileLayers(loaded: LoadedConfig, caches: CacheRegistry): TileLayer[] {
  const layers: TileLayer[] = [];
  const visit = (layer: LayerConfig): void => {
    const managers = layer.name === undefined ? undefined : tileCacheOf(layer, caches);
    if (layer.name !== undefined && managers !== undefined) {
      for (const [gridName, tileManager] of managers) {
        layers.push(
          new CacheTileLayer({
            name: layer.name,
            title: layer.title,
            gridName,
            tileManager,
            extent: gridExtent(loaded, layer, tileManager),
            metadata: layer.md ?? {},
          }),
        );
      }
    }
    for (const child of layer.layers ?? []) visit(child);
  };
  for (const layer of loaded.config.layers) visit(layer);
  return layers;
}

/** The cache's `cache.coverage` bounds in the grid's SRS; undefined (the grid bbox) without one. */
function gridExtent(loaded: LoadedConfig, layer: LayerConfig, tileManager: TileManager): BBox | undefined {
  const [name] = layer.tile_sources ?? layer.sources ?? [];
  const extent = name === undefined ? undefined : cacheCoverageExtent(loaded, name);
  if (extent === undefined) return undefined;
  const { srs } = tileManager.grid;
  return extent.srs.equals(srs) ? extent.bbox : extent.srs.transformBBox(srs, extent.bbox);
}

/** The TileManagers of the layer's single cache, or undefined when it is not a tile layer. */
function tileCacheOf(
  layer: LayerConfig,
  caches: CacheRegistry,
): ReadonlyMap<string, TileManager> | undefined {
  const names = layer.tile_sources ?? layer.sources ?? [];
  if (names.length !== 1) return undefined;
  const [name] = names;
  return name === undefined ? undefined : caches.get(name);
}
