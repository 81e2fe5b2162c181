/**
 * Composition of the WMS layer tree from `layers`: caches become `CacheMapLayer`s (one per grid,
 * picked by SRS; `use_direct_from_level/res`), sources `DirectMapLayer`s, `wms_opts.featureinfo`
 * and legends the info/legend sources, `min_res`/`max_res` the layer's range.
 */
import type { TileManager } from '../cache/index.js';
import type { LayerConfig, LoadedConfig, WmsSourceConfig } from '../config/index.js';
import type { TileGrid } from '../grid/index.js';
import {
  CacheMapLayer,
  DirectMapLayer,
  SrsConditionalLayer,
  type FeatureInfoSource,
  type LayerExtent,
  type LegendSource,
  type MapLayer,
} from '../layer/index.js';
import type { WmsLayerNode } from '../service/index.js';
import {
  createResolutionRange,
  createWmsInfoSource,
  createWmsLegendSource,
  type MapSource,
} from '../source/index.js';
import { getSrs } from '../srs/index.js';
import type { BBox } from '../util/index.js';
import { buildTaggedSource } from './build-sources.js';
import { cacheCoverageExtent } from './cache-extent.js';
import { configCoverage } from './coverage-from-config.js';
import type { CacheRegistry } from './build-caches.js';

export interface WmsLayerDeps {
  readonly loaded: LoadedConfig;
  readonly grids: ReadonlyMap<string, TileGrid>;
  readonly sources: ReadonlyMap<string, MapSource>;
  readonly caches: CacheRegistry;
}

const WORLD: LayerExtent = { bbox: [-180, -90, 180, 90], srs: getSrs('EPSG:4326') };

interface Parts {
  mapLayers: MapLayer[];
  info: FeatureInfoSource[];
  legends: LegendSource[];
}

/** The WMS layer tree; several top-level layers get an unnamed root titled `md.title`. */
export function buildWmsRoot(deps: WmsLayerDeps, rootTitle: string): WmsLayerNode {
  const nodes = deps.loaded.config.layers.map((layer) => buildNode(deps, layer));
  if (nodes.length === 1 && nodes[0] !== undefined) return nodes[0];
  return {
    name: null,
    title: rootTitle,
    md: {},
    children: nodes,
    mapLayers: [],
    infoSources: [],
    legendUrl: null,
    legendSources: [],
    resRange: null,
    extent: unionExtent(nodes.map((n) => n.extent)),
  };
}

function buildNode(deps: WmsLayerDeps, layer: LayerConfig): WmsLayerNode {
  const children = (layer.layers ?? []).map((child) => buildNode(deps, child));
  const parts: Parts = { mapLayers: [], info: [], legends: [] };
  for (const name of layer.sources ?? []) addSource(deps, name, parts);
  const extents =
    parts.mapLayers.length > 0 ? parts.mapLayers.map((l) => l.extent) : children.map((c) => c.extent);
  return {
    name: layer.name ?? null,
    title: layer.title,
    md: layer.md ?? {},
    children,
    mapLayers: parts.mapLayers,
    infoSources: parts.info,
    legendUrl: layer.legendurl ?? null,
    legendSources: parts.legends,
    resRange: createResolutionRange(layer.name ?? layer.title, {
      minRes: layer.min_res,
      maxRes: layer.max_res,
      minScale: layer.min_scale,
      maxScale: layer.max_scale,
    }),
    extent: extents.length === 1 && extents[0] !== undefined ? extents[0] : unionExtent(extents),
  };
}

function addSource(deps: WmsLayerDeps, ref: string, parts: Parts): void {
  const managers = deps.caches.get(ref);
  if (managers !== undefined) {
    const cache = deps.loaded.config.caches[ref];
    const layers = [...managers].map(([, manager]) => cacheLayer(deps, ref, manager, cache?.sources));
    const [first, ...rest] = layers;
    if (first !== undefined)
      parts.mapLayers.push(rest.length === 0 ? first : new SrsConditionalLayer([first, ...rest]));
    // feature info and legends of a cache come from its sources (MapProxy)
    const sources = Array.isArray(cache?.sources) ? (cache.sources as readonly string[]) : [];
    for (const name of sources) addInfo(deps, name, parts);
    return;
  }
  const source = sourceFor(deps, ref);
  parts.mapLayers.push(new DirectMapLayer({ source, extent: sourceExtent(deps, ref) }));
  addInfo(deps, ref, parts);
}

function sourceFor(deps: WmsLayerDeps, ref: string): MapSource {
  const direct = deps.sources.get(ref);
  if (direct !== undefined) return direct;
  const [name = ref, layers = ''] = ref.split(/:(.*)/s);
  return buildTaggedSource(deps.loaded, name, layers.split(','), deps.grids);
}

function cacheLayer(deps: WmsLayerDeps, name: string, manager: TileManager, sources: unknown): MapLayer {
  const cache = deps.loaded.config.caches[name];
  const grid = manager.grid;
  let direct: { layer: MapLayer; fromRes: number } | undefined;
  const level = cache?.use_direct_from_level;
  const fromRes = level !== undefined ? grid.resolutions[level] : cache?.use_direct_from_res;
  const [first] = Array.isArray(sources) ? (sources as readonly string[]) : [];
  if (fromRes !== undefined && first !== undefined) {
    direct = {
      layer: new DirectMapLayer({ source: sourceFor(deps, first), extent: sourceExtent(deps, first) }),
      fromRes,
    };
  }
  return new CacheMapLayer({
    tileManager: manager,
    extent: cacheCoverageExtent(deps.loaded, name) ?? sourcesExtent(deps, sources),
    maxTileLimit: deps.loaded.config.globals.cache.max_tile_limit,
    direct,
  });
}

/** MapProxy `MapExtent(coverage.bbox, coverage.srs)`: the bounds of any coverage form, else the world. */
function sourceExtent(deps: WmsLayerDeps, ref: string): LayerExtent {
  return coveredExtent(deps, ref) ?? WORLD;
}

/** The bounds of a source's `coverage`; null without one (MapProxy's `DefaultMapExtent`). */
function coveredExtent(deps: WmsLayerDeps, ref: string): LayerExtent | null {
  const name = ref.split(':')[0] ?? ref;
  const config = deps.loaded.config.sources[name];
  const section = config !== undefined && 'coverage' in config ? config.coverage : undefined;
  if (section === undefined) return null;
  const c = configCoverage(deps.loaded, ['sources', name, 'coverage'], section);
  return { bbox: c.bbox, srs: c.srs };
}

/**
 * MapProxy 1.15 `merge_layer_extents(sources)` for a cache: the union of its sources' coverages,
 * where a source without one does not count; undefined (the grid's extent) when none has one or a
 * source is another cache.
 */
function sourcesExtent(deps: WmsLayerDeps, sources: unknown): LayerExtent | undefined {
  const refs = Array.isArray(sources) ? (sources as readonly string[]) : [];
  if (refs.some((ref) => deps.loaded.config.caches[ref] !== undefined)) return undefined;
  const extents = refs.flatMap((ref) => coveredExtent(deps, ref) ?? []);
  if (extents.length === 0) return undefined;
  return extents.length === 1 ? extents[0] : unionExtent(extents);
}

function addInfo(deps: WmsLayerDeps, ref: string, parts: Parts): void {
  const [name = ref, tagged] = ref.split(/:(.*)/s);
  const config = deps.loaded.config.sources[name];
  if (config?.type !== 'wms') return;
  const wms: WmsSourceConfig = config;
  const opts = wms.wms_opts ?? {};
  const req = tagged === undefined ? wms.req : { ...wms.req, layers: tagged };
  const common = {
    name: ref,
    req: req as Readonly<Record<string, string | number | boolean>> & { readonly url: string },
    version: opts.version as '1.0.0' | '1.1.0' | '1.1.1' | '1.3.0' | undefined,
    supportedSrs: wms.supported_srs,
    featureInfoFormat: typeof opts.featureinfo_format === 'string' ? opts.featureinfo_format : undefined,
    headers: { ...deps.loaded.config.globals.http.headers, ...wms.http?.headers },
    timeoutMs: (wms.http?.client_timeout ?? deps.loaded.config.globals.http.client_timeout) * 1000,
  };
  if (opts.featureinfo === true) parts.info.push(createWmsInfoSource(common));
  if (opts.legendgraphic === true || typeof opts.legendurl === 'string') {
    parts.legends.push(
      createWmsLegendSource({
        ...common,
        legendUrl: typeof opts.legendurl === 'string' ? opts.legendurl : undefined,
      }),
    );
  }
}

/** The union of extents in EPSG:4326 (the world when empty). */
function unionExtent(extents: readonly LayerExtent[]): LayerExtent {
  if (extents.length === 0) return WORLD;
  const wgs = WORLD.srs;
  const boxes = extents.map((e) => (e.srs.equals(wgs) ? e.bbox : e.srs.transformBBox(wgs, e.bbox)));
  const bbox: BBox = [
    Math.min(...boxes.map((b) => b[0])),
    Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b[2])),
    Math.max(...boxes.map((b) => b[3])),
  ];
  return { bbox, srs: wgs };
}
