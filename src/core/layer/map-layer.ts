/**
 * The map-layer seam the WMS renders from (MapProxy `MapLayer`): an image for any bbox, size and
 * SRS, from a cache (reprojected tiles) or straight from a source.
 */
import type { ImageResult } from '../image/index.js';
import type { MapQuery } from '../source/index.js';
import type { Srs } from '../srs/index.js';
import type { BBox } from '../util/index.js';
import type { TileResponse } from './types.js';

/** Where a layer has data: a bbox (x/y order) in `srs`. */
export interface LayerExtent {
  readonly bbox: BBox;
  readonly srs: Srs;
}

export interface MapLayer {
  /** True when its images have transparent parts (layers below show through). */
  readonly isTransparent: boolean;
  /** Layer opacity 0-1 when merged; null = as drawn. */
  readonly opacity: number | null;
  readonly extent: LayerExtent;
  /**
   * Whether the image for `query` is sure to have no transparent part (MapProxy `is_opaque`, true
   * only for a direct WMS source's layer: see `MapSource.isOpaqueFor`), so that the layers under
   * it are not drawn. Absent: never sure (a cache's layer, as in MapProxy).
   */
  isOpaqueFor?(query: Pick<MapQuery, 'bbox' | 'size' | 'srs'>): boolean;
  /** `forward_req_params` of a direct source: request parameters the WMS passes on (config spelling). */
  readonly forwardReqParams?: readonly string[] | undefined;
  /**
   * The image for `query` (x/y bbox in `query.srs`, exactly `query.size`), or null when the layer
   * has nothing there. Rejects with `SourceError`/`CacheError` when a source or cache fails.
   */
  getMap(query: MapQuery): Promise<ImageResult | null>;
  /**
   * WMS-C (`query.tiledOnly`): the stored tile that is the whole query, its bytes as stored, when a
   * cache answers it; undefined when the layer draws the query otherwise (`getMap`), null when there
   * is no tile. Rejects as `getMap` does a query that is not one whole tile of the cache's grid.
   */
  tiledTile?(query: MapQuery): Promise<TileResponse | null | undefined>;
  /**
   * One layer drawing this and then `other` (adjacent, `other` on top) for `query`, or null when
   * they cannot be combined (MapProxy `combined_layer`; only direct WMS layers can).
   */
  combinedWith?(other: MapLayer, query: MapQuery): MapLayer | null;
}
