/**
 * A cache with several grids as one map layer (MapProxy `SRSConditional`): per request, the grid
 * layer whose SRS `preferredSource` picks for the request's SRS.
 */
import type { ImageResult } from '../image/index.js';
import type { MapQuery } from '../source/index.js';
import { preferredSource, type Srs, type SrsOptions } from '../srs/index.js';
import type { LayerExtent, MapLayer } from './map-layer.js';
import type { TileResponse } from './types.js';

/** One grid's layer and the grid's SRS. */
export interface SrsLayer {
  readonly layer: MapLayer;
  readonly srs: Srs;
}

export class SrsConditionalLayer implements MapLayer {
  readonly isTransparent: boolean;
  readonly opacity: number | null;
  readonly extent: LayerExtent;
  readonly #layers: readonly SrsLayer[];
  readonly #supported: readonly Srs[];
  readonly #options: SrsOptions;

  /** `layers` must not be empty; the first gives the extent. */
  constructor(layers: readonly [SrsLayer, ...SrsLayer[]], options: SrsOptions = {}) {
    const [first] = layers;
    this.#layers = layers;
    this.#supported = layers.map((l) => l.srs);
    this.#options = options;
    this.isTransparent = first.layer.isTransparent;
    this.opacity = first.layer.opacity;
    this.extent = first.layer.extent;
  }

  getMap(query: MapQuery): Promise<ImageResult | null> {
    const layer = this.#layerFor(query);
    if (layer === undefined) return Promise.resolve(null);
    return layer.getMap(query);
  }

  tiledTile(query: MapQuery): Promise<TileResponse | null | undefined> {
    const layer = this.#layerFor(query);
    if (layer === undefined) return Promise.resolve(null);
    return layer.tiledTile?.(query) ?? Promise.resolve(undefined);
  }

  #layerFor(query: MapQuery): MapLayer | undefined {
    const srs = preferredSource(query.srs, this.#supported, this.#options);
    // MapProxy keeps one layer per SRS in a dict: of two grids in one SRS the last one serves
    return (this.#layers.findLast((l) => l.srs.equals(srs)) ?? this.#layers[0])?.layer;
  }
}
