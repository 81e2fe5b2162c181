/**
 * A cache with several grids as one map layer (MapProxy picks the grid per request SRS): the
 * layer whose extent SRS equals the request's, else the first.
 */
import type { ImageResult } from '../image/index.js';
import type { MapQuery } from '../source/index.js';
import type { LayerExtent, MapLayer } from './map-layer.js';

export class SrsConditionalLayer implements MapLayer {
  readonly isTransparent: boolean;
  readonly opacity: number | null;
  readonly extent: LayerExtent;
  readonly #layers: readonly MapLayer[];

  /** `layers` must not be empty; the first is the default. */
  constructor(layers: readonly [MapLayer, ...MapLayer[]]) {
    const [first] = layers;
    this.#layers = layers;
    this.isTransparent = first.isTransparent;
    this.opacity = first.opacity;
    this.extent = first.extent;
  }

  getMap(query: MapQuery): Promise<ImageResult | null> {
    const layer = this.#layers.find((l) => l.extent.srs.equals(query.srs)) ?? this.#layers[0];
    if (layer === undefined) return Promise.resolve(null);
    return layer.getMap(query);
  }
}
