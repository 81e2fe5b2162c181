/**
 * The WMS layer tree (MapProxy `WMSLayer`/`WMSGroupLayer`): named and unnamed groups, the map
 * layers each renders, its feature-info and legend sources, and its resolution range.
 */
import type {
  FeatureInfoSource,
  LayerDimension,
  LayerExtent,
  LegendSource,
  MapLayer,
} from '../../layer/index.js';
import type { Srs } from '../../srs/index.js';
import type { BBox, Size } from '../../util/index.js';

/** MapProxy `ResolutionRange` in metres per pixel (min = coarsest). */
export interface LayerResRange {
  readonly minRes: number | null;
  readonly maxRes: number | null;
  contains(bbox: BBox, size: Size, srs: Srs): boolean;
}

export interface WmsLayerNode {
  /** Null for an unnamed group (shown in capabilities, not requestable). */
  readonly name: string | null;
  readonly title: string;
  /** The layer's `md` (abstract, keyword_list, attribution, identifier, metadata...). */
  readonly md: Readonly<Record<string, unknown>>;
  readonly children: readonly WmsLayerNode[];
  /** Its own sources as map layers, bottom first; empty for a pure group. */
  readonly mapLayers: readonly MapLayer[];
  /** Sources with `featureinfo: true`. */
  readonly infoSources: readonly FeatureInfoSource[];
  /** `legendurl` of the layer (http(s) or file), else null. */
  readonly legendUrl: string | null;
  /** Sources with legends (`legendgraphic`/`legendurl` in their `wms_opts`). */
  readonly legendSources: readonly LegendSource[];
  readonly resRange: LayerResRange | null;
  /** Where the layer has data (MapProxy `merge_layer_extents` of its sources and children). */
  readonly extent: WmsLayerExtent;
  /** The layer's `dimensions` (expanded values), for capabilities. */
  readonly dimensions?: readonly LayerDimension[] | undefined;
}

/**
 * MapProxy `MapExtent`; `isDefault` marks its `DefaultMapExtent` (a source without coverage, or no
 * sources at all): the world, which a union ignores and a configured `bbox_srs` box replaces.
 */
export interface WmsLayerExtent extends LayerExtent {
  readonly isDefault: boolean;
}

/** Every named node of the tree by name (MapProxy `root_layer.child_layers()`), parents first. */
export function namedLayers(root: WmsLayerNode): Map<string, WmsLayerNode> {
  const out = new Map<string, WmsLayerNode>();
  const visit = (node: WmsLayerNode): void => {
    if (node.name !== null && !out.has(node.name)) out.set(node.name, node);
    for (const child of node.children) visit(child);
  };
  visit(root);
  return out;
}

/** True when the node (or a descendant) answers feature info. */
export function isQueryable(node: WmsLayerNode): boolean {
  return node.infoSources.length > 0 || node.children.some(isQueryable);
}

/** True when the node (or a descendant) has a legend. */
export function hasLegend(node: WmsLayerNode): boolean {
  return node.legendUrl !== null || node.legendSources.length > 0 || node.children.some(hasLegend);
}

/**
 * The map layers that render `bbox`/`size`/`srs` by the node that draws them (MapProxy
 * `map_layers_for_query`, name → layers): a node's own layers, else its children's in order;
 * nodes outside their resolution range render nothing.
 */
export function renderLayers(
  node: WmsLayerNode,
  bbox: BBox,
  size: Size,
  srs: Srs,
): [WmsLayerNode, readonly MapLayer[]][] {
  if (node.resRange !== null && !node.resRange.contains(bbox, size, srs)) return [];
  if (node.mapLayers.length > 0) return [[node, node.mapLayers]];
  return node.children.flatMap((child) => renderLayers(child, bbox, size, srs));
}

/**
 * Feature-info sources of a node with the node that owns them (MapProxy `info_layers_for_query`):
 * its own, else its children's in order; none for a node without any.
 */
export function infoLayers(
  node: WmsLayerNode,
): [owner: WmsLayerNode, sources: readonly FeatureInfoSource[]][] {
  if (node.mapLayers.length > 0) return node.infoSources.length > 0 ? [[node, node.infoSources]] : [];
  return node.children.flatMap(infoLayers);
}
