/**
 * `DirectMapLayer`: a WMS map layer straight from a source, uncached (MapProxy `DirectMapLayer`).
 * The source reprojects itself when it does not support the requested SRS.
 */
import type { ImageResult } from '../image/index.js';
import { fadesOpacity, type MapQuery, type MapSource } from '../source/index.js';
import type { LayerExtent, MapLayer } from './map-layer.js';

export interface DirectMapLayerOptions {
  readonly source: MapSource;
  /** Where the source has data (its coverage, else the world), for capabilities; sources clip themselves. */
  readonly extent: LayerExtent;
  /** Default: the source's own `image.opacity`. */
  readonly opacity?: number | null | undefined;
  /** The source's `forward_req_params`, as configured. */
  readonly forwardReqParams?: readonly string[] | undefined;
}

export class DirectMapLayer implements MapLayer {
  readonly isTransparent: boolean;
  readonly opacity: number | null;
  readonly extent: LayerExtent;
  readonly forwardReqParams: readonly string[];
  readonly #source: MapSource;

  constructor(options: DirectMapLayerOptions) {
    this.#source = options.source;
    this.isTransparent = options.source.isTransparent;
    this.opacity = options.opacity ?? options.source.opacity ?? null;
    this.extent = options.extent;
    this.forwardReqParams = options.forwardReqParams ?? [];
  }

  getMap(query: MapQuery): Promise<ImageResult | null> {
    return this.#source.getMap(query);
  }

  isOpaqueFor(query: Pick<MapQuery, 'bbox' | 'size' | 'srs'>): boolean {
    // a layer opacity of its own (MapProxy's is the source's `image.opacity`, checked there)
    if (fadesOpacity(this.opacity)) return false;
    return this.#source.isOpaqueFor?.(query) ?? false;
  }

  combinedWith(other: MapLayer, query: MapQuery): MapLayer | null {
    // a layer opacity of its own is drawn per layer, never one image for both (MapProxy checks opacity)
    if (!(other instanceof DirectMapLayer) || this.opacity !== null || other.opacity !== null) return null;
    const source = this.#source.combinedWith?.(other.#source, query) ?? null;
    if (source === null) return null;
    return new DirectMapLayer({
      source,
      extent: this.extent,
      forwardReqParams: [...new Set([...this.forwardReqParams, ...other.forwardReqParams])],
    });
  }
}
