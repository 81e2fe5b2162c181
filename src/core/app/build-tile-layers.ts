/**
 * The tile layers the tile services (TMS, WMTS, KML) publish (MapProxy `tile_layers`): a named
 * layer's `tile_sources` caches, or its `sources` when they are exactly one cache (debug and
 * `map: false` sources aside), published once per grid of each cache.
 */
import type { TileManager } from '../cache/index.js';
import type { LayerConfig, LoadedConfig } from '../config/index.js';
import type { TileGrid } from '../grid/index.js';
import {
  CacheTileLayer,
  layerDimension,
  type LayerDimension,
  type LayerExtent,
  type TileLayer,
} from '../layer/index.js';
import { getSrs } from '../srs/index.js';
import type { BBox } from '../util/index.js';
import type { CacheRegistry } from './build-caches.js';
import { cacheExtent } from './cache-extent.js';
import { tileInfoSources } from './info-sources.js';

/** Every tile layer in layer-tree order (parents before children), each grid of its cache in order. */
export function buildTileLayers(
  loaded: LoadedConfig,
  caches: CacheRegistry,
  grids: ReadonlyMap<string, TileGrid>,
): TileLayer[] {
  const layers: TileLayer[] = [];
  const visit = (layer: LayerConfig): void => {
    const names = layer.name === undefined ? [] : tileCachesOf(loaded, layer);
    for (const cacheName of names) {
      for (const [gridName, tileManager] of caches.get(cacheName) ?? []) {
        const extent = cacheExtent(loaded, cacheName, { grid: tileManager.grid, grids });
        layers.push(
          new CacheTileLayer({
            name: layer.name ?? '',
            title: layer.title,
            // MapProxy names the TileMatrixSet (and TMS grid path) by the grid's `name`, not its key
            gridName: tileManager.grid.name ?? gridName,
            tileManager,
            extent: gridExtent(extent, tileManager),
            llbbox: llbboxOf(extent),
            metadata: layer.md ?? {},
            dimensions: dimensionsOf(layer),
            infoSources: tileInfoSources(loaded, layer, cacheName),
          }),
        );
      }
    }
    for (const child of layer.layers ?? []) visit(child);
  };
  for (const layer of loaded.config.layers) visit(layer);
  return layers;
}

/** The layer's `dimensions` with their values expanded (MapProxy `LayerConfiguration.dimensions`). */
export function dimensionsOf(layer: LayerConfig): LayerDimension[] {
  return Object.entries(layer.dimensions ?? {}).map(([name, config]) => layerDimension(name, config));
}

/**
 * The cache's extent on a grid (MapProxy's per-grid `extent`: its coverage or its sources') in the
 * grid's SRS; undefined (the grid bbox) without one.
 */
function gridExtent(extent: LayerExtent | undefined, tileManager: TileManager): BBox | undefined {
  if (extent === undefined) return undefined;
  const { srs } = tileManager.grid;
  return extent.srs.equals(srs) ? extent.bbox : extent.srs.transformBBox(srs, extent.bbox);
}

/** The cache's extent in EPSG:4326 (MapProxy `MapExtent.llbbox`); undefined without one. */
function llbboxOf(extent: LayerExtent | undefined): BBox | undefined {
  if (extent === undefined) return undefined;
  const wgs = getSrs('EPSG:4326');
  return extent.srs.equals(wgs) ? extent.bbox : extent.srs.transformBBox(wgs, extent.bbox);
}

/**
 * The caches a layer publishes as tiles: all of `tile_sources`; of `sources` the one cache when
 * there is exactly one, skipping debug sources and feature-info-only WMS (`wms_opts.map: false`);
 * none when another source is among them.
 */
function tileCachesOf(loaded: LoadedConfig, layer: LayerConfig): string[] {
  if (layer.tile_sources !== undefined) return [...layer.tile_sources];
  const { caches, sources } = loaded.config;
  const found: string[] = [];
  for (const name of layer.sources ?? []) {
    if (caches[name] !== undefined) {
      found.push(name);
      continue;
    }
    const source = sources[name] as { type?: string; wms_opts?: { map?: unknown } } | undefined;
    if (source?.type === 'debug' || (source?.type === 'wms' && source.wms_opts?.map === false)) continue;
    return [];
  }
  return found.length === 1 ? found : [];
}
