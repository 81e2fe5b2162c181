/**
 * The GetMap pipeline (MapProxy `WMSServer.map` + `LayerRenderer` + `LayerMerger`): layers that
 * render the query (hidden ones dropped), rendered concurrently, merged in order, encoded once.
 */
import {
  attributionImage,
  encodeReleasing,
  mergeImages,
  messageImage,
  passedThroughHasAlpha,
  placeImage,
  type ImageFormatOptions,
  type ImageResult,
} from '../../image/index.js';
import { MapBBoxError, MapRequestError, type MapLayer, type TileResponse } from '../../layer/index.js';
import { SrsError, type Srs } from '../../srs/index.js';
import { getLogger, ProxyError, type Size } from '../../util/index.js';
import { OgcError } from '../errors.js';
import { clientMessage, toInternalError } from '../responses.js';
import type { MapParams } from './wms-request.js';
import { renderLayers, type WmsLayerNode } from './wms-layer.js';

const log = getLogger('mapproxy.service.wms');

/** The query a layer renders (the `source` module's `MapQuery`, which `service` may not import). */
type MapQuery = Parameters<MapLayer['getMap']>[0];

/** `on_source_errors`: draw the errors onto the map (`notify`), skip silently, or fail. */
export type OnSourceErrors = 'notify' | 'ignore' | 'raise';

export interface GetMapContext {
  readonly layers: ReadonlyMap<string, WmsLayerNode>;
  readonly onSourceErrors: OnSourceErrors;
  /** Layers rendered at once (`concurrent_layer_renderer`, default 1). */
  readonly concurrency: number;
  /** `services.wms.attribution.text` to draw over the map, or null (none, or `TILED=true`). */
  readonly attribution?: string | null | undefined;
  /**
   * Where the rendered `params` go in the requested map when a `bbox_srs` box limited them
   * (MapProxy `SubImageSource`): the full size and the offset; absent: the map is `params`.
   */
  readonly placeInto?: { readonly size: Size; readonly offset: readonly [number, number] } | undefined;
  /** WMS-C (`TILED=true`): each cache's layer answers only a whole tile of its grid. */
  readonly tiledOnly?: boolean | undefined;
}

/**
 * The map layers of a request in drawing order, dropping those under one that is sure to be
 * opaque for the query (MapProxy `is_opaque`: only a direct WMS source's layer can be; a cache's
 * layer is drawn over the layers under it, which are still rendered). MapProxy keys them by the
 * layer that draws them in an ordered dict: a layer named twice (`LAYERS=a,a`, or a layer and its
 * group) is drawn once, at its first place.
 */
export function layersForRequest(params: MapParams, srs: Srs, context: GetMapContext): MapLayer[] {
  const query = { bbox: params.bbox, size: params.size, srs };
  let drawn = new Map<WmsLayerNode, readonly MapLayer[]>();
  for (const name of params.layers) {
    const node = context.layers.get(name);
    if (node === undefined) continue;
    // MapProxy renders_query: only a layer that renders the query can hide the ones before it
    if (node.resRange !== null && !node.resRange.contains(params.bbox, params.size, srs)) continue;
    if (isOpaqueFor(node, query)) drawn = new Map();
    // a Map keeps a key's first place when it is set again, as Python's dict
    for (const [drawer, layers] of renderLayers(node, params.bbox, params.size, srs))
      drawn.set(drawer, layers);
  }
  return [...drawn.values()].flat();
}

/**
 * MapProxy `is_opaque` of a requested layer: a layer's own map layers; a group's children, also
 * when it draws its own sources instead of them (WMSGroupLayer asks `self.layers`, not `this`), so
 * a group with sources of its own over an opaque child hides the layers before it and draws only
 * its own (generated differential gen-13-06: MapProxy 1 upstream request, we made 5).
 */
function isOpaqueFor(
  node: WmsLayerNode,
  query: Parameters<NonNullable<MapLayer['isOpaqueFor']>>[0],
): boolean {
  if (node.children.length > 0) return node.children.some((child) => isOpaqueFor(child, query));
  return node.mapLayers.some((layer) => layer.isOpaqueFor?.(query) === true);
}

/**
 * The query dimensions plus every request parameter a direct layer's source forwards, keyed in the
 * config's spelling (MapProxy `update_query_with_fwd_params`: any parameter, not only dimensions).
 */
function forwardedParams(params: MapParams, layers: readonly MapLayer[]): Readonly<Record<string, string>> {
  let out: [string, string][] = Object.entries(params.dimensions);
  for (const name of layers.flatMap((layer) => layer.forwardReqParams ?? [])) {
    const value = params.params[name.toLowerCase()];
    if (value === undefined) continue;
    // one entry per parameter: the configured spelling replaces the request's `elevation`
    out = [...out.filter(([key]) => key.toLowerCase() !== name.toLowerCase()), [name, value]];
  }
  return Object.fromEntries(out);
}

/**
 * MapProxy `combined_layers`: each layer joined with the one before it when they can be (direct
 * WMS sources with the same URL become one upstream request, `layers=a,b`), in drawing order.
 */
export function combinedLayers(layers: readonly MapLayer[], query: MapQuery): MapLayer[] {
  const out: MapLayer[] = [];
  for (const layer of layers) {
    const last = out.at(-1);
    const combined = last?.combinedWith?.(layer, query) ?? null;
    if (combined === null) out.push(layer);
    else out[out.length - 1] = combined;
  }
  return out;
}

/** The layers' query for `params` (MapProxy `MapQuery` after `update_query_with_fwd_params`). */
function mapQuery(
  params: MapParams,
  srs: Srs,
  requested: readonly MapLayer[],
  context: GetMapContext,
): MapQuery {
  return {
    bbox: params.bbox,
    size: params.size,
    srs,
    format: params.format,
    transparent: params.transparent,
    dimensions: forwardedParams(params, requested),
    isSeeding: false,
    tiledOnly: context.tiledOnly === true,
  };
}

/**
 * A layer's refusal of the request as the WMS answers it (MapProxy `_render_layer`), or null when
 * `error` is no such refusal.
 */
function refusal(error: unknown): OgcError | null {
  // MapProxy WMSServer.map: a MapBBOXError is the request's fault, never drawn onto the map
  if (error instanceof MapBBoxError) {
    return new OgcError(`Request too large or invalid BBOX. (${error.message})`, 'NoApplicableCode', {
      cause: error,
    });
  }
  // MapProxy MapError: a WMS-C request in another format or size than the cache's tiles
  if (error instanceof MapRequestError) {
    return new OgcError(`Invalid request: ${error.message}`, 'NoApplicableCode', { cause: error });
  }
  // MapProxy _render_layer: TransformationError (no point of the bbox transforms into the
  // layer's grid or extent SRS, e.g. latitudes below -90° to web mercator)
  if (error instanceof SrsError && error.code === 'SRS_TRANSFORM') {
    return new OgcError('Could not transform BBOX: Invalid result.', 'NoApplicableCode', {
      cause: error,
    });
  }
  return null;
}

/**
 * WMS-C: the stored tile's bytes for a `TILED=true` map of one cache's layer that is one whole tile
 * in the cache's format, as MapProxy's LayerMerger hands a lone layer on (an opaque cache, or a
 * transparent map) and `as_buffer` sends a stored tile of the requested format unchanged: the cost
 * of a tile hit. Undefined when the map is to be drawn (`renderMap`); refusals as `renderMap`'s.
 */
export async function storedTileMap(
  params: MapParams,
  srs: Srs,
  context: GetMapContext,
): Promise<TileResponse | undefined> {
  const requested = layersForRequest(params, srs, context);
  const [layer] = requested;
  if (requested.length !== 1 || layer?.tiledTile === undefined) return undefined;
  if (layer.isTransparent && !params.transparent) return undefined;
  let tile: TileResponse | null | undefined;
  try {
    tile = await layer.tiledTile(mapQuery(params, srs, requested, context));
  } catch (error) {
    throw refusal(error) ?? error;
  }
  // no tile there (a blank map), or a mixed cache's tile in the other format: drawn
  if (tile === null || tile === undefined || tile.format.split(';')[0] !== params.format.split(';')[0])
    return undefined;
  return tile;
}

/**
 * Renders and merges `params` into one image in `options` and returns the encoded bytes.
 * Source/cache failures follow `on_source_errors`; with `raise` they reject as internal `OgcError`.
 */
export async function renderMap(
  params: MapParams,
  srs: Srs,
  options: ImageFormatOptions,
  context: GetMapContext,
): Promise<{ readonly data: Buffer; readonly format: string }> {
  const requested = layersForRequest(params, srs, context);
  const query = mapQuery(params, srs, requested, context);
  const layers = combinedLayers(requested, query);
  const errors: string[] = [];
  const images: (ImageResult | null)[] = new Array<ImageResult | null>(layers.length).fill(null);
  // 1. render, at most `concurrency` layers at a time
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < layers.length) {
      const index = next++;
      const layer = layers[index];
      if (layer === undefined) continue;
      try {
        images[index] = await layer.getMap(query);
      } catch (error) {
        const refused = refusal(error);
        if (refused !== null) throw refused;
        if (!(error instanceof ProxyError) || !/^(SOURCE|CACHE)_/.test(error.code)) throw error;
        if (context.onSourceErrors === 'raise') throw toInternalError(error);
        log.warn(`could not get map from layer: ${error.message}`);
        errors.push(clientMessage(error));
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(context.concurrency, layers.length)) }, worker),
  );
  // MapProxy _render_capture_source_errors: when every layer failed there is no map to notify on
  if (layers.length > 0 && errors.length === layers.length) {
    throw new OgcError(`Could not get any sources:\n${errors.join('\n')}`, 'NoApplicableCode');
  }
  // 2. merge bottom first onto the transparent or bgcolor canvas
  type Merged = { image: ImageResult; opacity: number | null; opaque?: boolean };
  const merge = layers.flatMap((layer, i): Merged[] => {
    const image = images[i];
    return image === null || image === undefined
      ? []
      : [{ image, opacity: layer.opacity, opaque: !layer.isTransparent }];
  });
  if (errors.length > 0 && context.onSourceErrors === 'notify') {
    merge.push({
      image: await messageImage(errors.join('\n'), params.size, { transparent: true }),
      opacity: null,
    });
  }
  // MapProxy WMSServer.map: the attribution goes on top, unless the request is TILED=true
  if (context.attribution) {
    merge.push({ image: await attributionImage(context.attribution, params.size), opacity: null });
  }
  const merged = await mergeImages(merge, params.size, {
    transparent: params.transparent,
    bgcolor: params.bgcolor,
  });
  // 3. encode once (MapProxy SubImageSource: around a limited map the canvas is the bgcolor at
  //    alpha 0, and the image stays RGBA: img_to_buf keeps that alpha in a true-colour PNG even
  //    without TRANSPARENT=true; quantising (png8) and JPEG drop it, leaving the bgcolor)
  const [r, g, b] = params.bgcolor;
  if (context.placeInto === undefined) {
    // MapProxy's LayerMerger returns a lone layer as it came when the layer is opaque or the map
    // transparent (a transparent layer's pixels on an opaque map may merely come out the same);
    // that image keeps its own mode: a true-colour encode keeps an alpha band it has, a palette
    // has alpha if asked for and the image has an alpha band (an opaque cache's map under
    // TRANSPARENT=true is quantised as RGB)
    const [lone] = merge;
    const asItCame =
      merge.length === 1 &&
      lone !== undefined &&
      merged === lone.image &&
      (lone.opaque === true || params.transparent);
    const transparent = asItCame
      ? (params.transparent || options.colors <= 0) && (await passedThroughHasAlpha(lone))
      : params.transparent;
    // the map's last use: pixels of its own go to the encoder's thread without a copy
    return encodeReleasing(merged, { ...options, transparent });
  }
  const map = await placeImage(merged, context.placeInto.size, context.placeInto.offset, [r, g, b, 0]);
  return encodeReleasing(map, { ...options, transparent: params.transparent || options.colors <= 0 });
}
