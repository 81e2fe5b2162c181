/**
 * Composition of the WMS layer tree from `layers`: caches become `CacheMapLayer`s (one per grid,
 * picked by SRS; `use_direct_from_level/res`), sources `DirectMapLayer`s, `wms_opts.featureinfo`
 * the info sources (legends: `legend-sources.ts`), `min_res`/`max_res` the layer's range.
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
  type MapLayer,
} from '../layer/index.js';
import type { WmsLayerExtent, WmsLayerNode } from '../service/index.js';
import { createResolutionRange, type ResolutionRange, type MapSource } from '../source/index.js';
import { getSrs } from '../srs/index.js';
import { buildTaggedSource } from './build-sources.js';
import { dimensionsOf } from './build-tile-layers.js';
import { wmsInfoSource, wmsSourceOptions } from './info-sources.js';
import { layerLegendSources } from './legend-sources.js';
import { arcgisInfoSource } from './arcgis-info.js';
import { cacheExtent, sourceCoverageExtent, unionExtent } from './cache-extent.js';
import { cacheMaxTileLimit } from './max-tile-limit.js';
import type { CacheRegistry } from './build-caches.js';

export interface WmsLayerDeps {
  readonly loaded: LoadedConfig;
  readonly grids: ReadonlyMap<string, TileGrid>;
  readonly sources: ReadonlyMap<string, MapSource>;
  readonly caches: CacheRegistry;
}

const WORLD: LayerExtent = { bbox: [-180, -90, 180, 90], srs: getSrs('EPSG:4326') };
/** MapProxy `DefaultMapExtent`. */
const DEFAULT_EXTENT: WmsLayerExtent = { ...WORLD, isDefault: true };

interface Parts {
  mapLayers: MapLayer[];
  /** The extent of each map layer as MapProxy sees it (a source without coverage: the default). */
  extents: WmsLayerExtent[];
  /** The resolution range of each map layer (MapProxy `res_range`; null: unlimited). */
  ranges: (ResolutionRange | null)[];
  info: FeatureInfoSource[];
}

/** The WMS layer tree; several top-level layers get an unnamed root titled `md.title`. */
export function buildWmsRoot(deps: WmsLayerDeps, rootTitle: string): WmsLayerNode {
  const configs = deps.loaded.config.layers;
  const nodes = configs.flatMap((layer) => buildNode(deps, layer) ?? []);
  if (configs.length === 1 && nodes.length === 1 && nodes[0] !== undefined) return nodes[0];
  return {
    name: null,
    title: rootTitle,
    md: {},
    children: nodes,
    mapLayers: [],
    infoSources: [],
    legendUrl: null,
    legendSources: [],
    resRange: mergeRanges(nodes.map((n) => n.resRange)),
    extent: mergeExtents(nodes.map((n) => n.extent)),
  };
}

/**
 * The node of `layer`, or null when it is no WMS layer (MapProxy `WMSLayerConfiguration`): one
 * without `sources`, `legendurl` and WMS children, such as a `tile_sources`-only layer.
 */
function buildNode(deps: WmsLayerDeps, layer: LayerConfig): WmsLayerNode | null {
  const children = (layer.layers ?? []).flatMap((child) => buildNode(deps, child) ?? []);
  const hasOwn = layer.sources !== undefined || layer.legendurl !== undefined;
  if (children.length === 0 && !hasOwn) return null;
  const parts: Parts = { mapLayers: [], extents: [], ranges: [], info: [] };
  for (const name of layer.sources ?? []) addSource(deps, name, parts);
  // MapProxy: a WMSLayer (`sources`, `legendurl`) has its configured range, else the merge of its
  // map layers'; a group (`layers`) merges its children's extents and ranges and its own layer's
  const ownExtent = mergeExtents(parts.extents);
  const ownRange =
    createResolutionRange(layer.name ?? layer.title, {
      minRes: layer.min_res,
      maxRes: layer.max_res,
      minScale: layer.min_scale,
      maxScale: layer.max_scale,
    }) ?? mergeRanges(parts.ranges);
  const extent =
    children.length === 0
      ? ownExtent
      : mergeExtents([...children.map((c) => c.extent), ...(hasOwn ? [ownExtent] : [])]);
  const resRange =
    children.length === 0
      ? ownRange
      : mergeRanges([...children.map((c) => c.resRange), ...(hasOwn ? [ownRange] : [])]);
  return {
    name: layer.name ?? null,
    title: layer.title,
    md: layer.md ?? {},
    children,
    mapLayers: parts.mapLayers,
    infoSources: parts.info,
    legendUrl: layer.legendurl ?? null,
    legendSources: hasOwn ? layerLegendSources(deps.loaded, layer.legendurl, layer.sources ?? []) : [],
    resRange,
    extent,
    dimensions: dimensionsOf(layer),
  };
}

function addSource(deps: WmsLayerDeps, ref: string, parts: Parts): void {
  const managers = deps.caches.get(ref);
  if (managers !== undefined) {
    const cache = deps.loaded.config.caches[ref];
    const layers = [...managers].map(([, manager]) => ({
      layer: cacheLayer(deps, ref, manager, cache?.sources),
      srs: manager.grid.srs,
    }));
    const [firstGrid, ...rest] = layers;
    if (firstGrid !== undefined) {
      const first = firstGrid.layer;
      const preferredSrcProj = deps.loaded.config.globals.srs.preferred_src_proj;
      parts.mapLayers.push(
        rest.length === 0 ? first : new SrsConditionalLayer([firstGrid, ...rest], { preferredSrcProj }),
      );
      // a cache layer always has an extent: its coverage, its sources' or its grid's
      parts.extents.push({ ...first.extent, isDefault: false });
      parts.ranges.push(cacheLayerRange(deps, ref));
    }
    // feature info of a cache comes from its sources (MapProxy)
    const sources = Array.isArray(cache?.sources) ? (cache.sources as readonly string[]) : [];
    for (const name of sources) addInfo(deps, name, parts);
    return;
  }
  if (isInfoOnly(deps, ref)) {
    // MapProxy: a source with `map: false` has no map layer (`source()` is None), only feature info
    addInfo(deps, ref, parts);
    return;
  }
  const source = sourceFor(deps, ref);
  const forwardReqParams = (
    deps.loaded.config.sources[ref.split(':')[0] ?? ref] as WmsSourceConfig | undefined
  )?.forward_req_params;
  parts.mapLayers.push(new DirectMapLayer({ source, extent: sourceExtent(deps, ref), forwardReqParams }));
  const covered = sourceCoverageExtent(deps.loaded, ref);
  parts.extents.push(covered === null ? DEFAULT_EXTENT : { ...covered, isDefault: false });
  parts.ranges.push(sourceRange(deps, ref, new Set()));
  addInfo(deps, ref, parts);
}

/** `wms_opts.map: false` (WMS) or `opts.map: false` (ArcGIS REST): a feature-info-only source. */
function isInfoOnly(deps: WmsLayerDeps, ref: string): boolean {
  const config = deps.loaded.config.sources[ref.split(':')[0] ?? ref] as
    { wms_opts?: { map?: unknown }; opts?: { map?: unknown } } | undefined;
  return config?.wms_opts?.map === false || config?.opts?.map === false;
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
    extent: cacheExtent(deps.loaded, name, { grid, grids: deps.grids }),
    maxTileLimit: cacheMaxTileLimit(deps.loaded, cache),
    direct,
  });
}

/** MapProxy `MapExtent(coverage.bbox, coverage.srs)`: the bounds of any coverage form, else the world. */
function sourceExtent(deps: WmsLayerDeps, ref: string): LayerExtent {
  return sourceCoverageExtent(deps.loaded, ref) ?? WORLD;
}

function addInfo(deps: WmsLayerDeps, ref: string, parts: Parts): void {
  const arcgis = arcgisInfoSource(deps.loaded, ref);
  if (arcgis !== null) parts.info.push(arcgis);
  const options = wmsSourceOptions(deps.loaded, ref);
  if (options === null) return;
  if (options.opts.featureinfo === true) parts.info.push(wmsInfoSource(deps.loaded, options));
}

/** A source's `min_res`/`max_res` (or scales); a cache used as a source: its cache range. */
function sourceRange(deps: WmsLayerDeps, ref: string, seen: Set<string>): ResolutionRange | null {
  const name = ref.split(':')[0] ?? ref;
  const config = deps.loaded.config.sources[name];
  if (config === undefined) return deps.loaded.config.caches[name] ? cacheRange(deps, name, seen) : null;
  const range = config as { min_res?: number; max_res?: number; min_scale?: number; max_scale?: number };
  return createResolutionRange(name, {
    minRes: range.min_res,
    maxRes: range.max_res,
    minScale: range.min_scale,
    maxScale: range.max_scale,
  });
}

/**
 * MapProxy `CacheMapLayer.res_range`: the merge of its sources' ranges, none when the cache
 * rescales tiles (`upscale_tiles`/`downscale_tiles`).
 */
function cacheRange(deps: WmsLayerDeps, name: string, seen: Set<string>): ResolutionRange | null {
  const cache = deps.loaded.config.caches[name];
  if (cache === undefined || seen.has(name) || cache.upscale_tiles || cache.downscale_tiles) return null;
  const sources = Array.isArray(cache.sources) ? (cache.sources as readonly string[]) : [];
  return mergeRanges(sources.map((ref) => sourceRange(deps, ref, new Set([...seen, name]))));
}

/** A cache layer's range; with `use_direct_from_*` MapProxy's ResolutionConditional merges in the source's. */
function cacheLayerRange(deps: WmsLayerDeps, name: string): ResolutionRange | null {
  const cache = deps.loaded.config.caches[name];
  const range = cacheRange(deps, name, new Set());
  const [first] = Array.isArray(cache?.sources) ? (cache.sources as readonly string[]) : [];
  const direct = cache?.use_direct_from_level !== undefined || cache?.use_direct_from_res !== undefined;
  return direct && first !== undefined ? mergeRanges([range, sourceRange(deps, first, new Set())]) : range;
}

/**
 * MapProxy `merge_layer_res_ranges`: null when there is none or any one is unlimited, else the
 * coarsest `min_res` and the finest `max_res` (each null when one of the ranges has none).
 */
function mergeRanges(ranges: readonly (ResolutionRange | null)[]): ResolutionRange | null {
  if (ranges.length === 0 || ranges.some((r) => r === null)) return null;
  if (ranges.length === 1) return ranges[0] ?? null;
  const all = ranges as readonly ResolutionRange[];
  const minRes = all.some((r) => r.minRes === null) ? null : Math.max(...all.map((r) => r.minRes ?? 0));
  const maxRes = all.some((r) => r.maxRes === null) ? null : Math.min(...all.map((r) => r.maxRes ?? 0));
  return createResolutionRange('merged', { minRes: minRes ?? undefined, maxRes: maxRes ?? undefined });
}

/**
 * MapProxy `merge_layer_extents`: default extents do not count; a single extent stays as it is
 * (its own SRS); several become the union of their EPSG:4326 boxes; none is the default.
 */
function mergeExtents(extents: readonly WmsLayerExtent[]): WmsLayerExtent {
  const real = extents.filter((e) => !e.isDefault);
  if (real.length === 0) return DEFAULT_EXTENT;
  if (real.length === 1 && real[0] !== undefined) return real[0];
  return { ...unionExtent(real), isDefault: false };
}
