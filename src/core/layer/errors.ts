/** Errors of the layer module: map requests a layer refuses before touching its cache. */
import { ProxyError } from '../util/index.js';

/** Stable codes of `MapBBoxError`. */
export const LAYER_ERROR_CODES = [
  'LAYER_INVALID_BBOX',
  'LAYER_INVALID_DIMENSION',
  'LAYER_INVALID_REQUEST',
] as const;
export type LayerErrorCode = (typeof LAYER_ERROR_CODES)[number];

/**
 * A map request too large or with a bbox the layer's grid cannot answer (MapProxy `MapBBOXError`):
 * more tiles than `max_tile_limit`, or an inverted/unusable bbox. The WMS answers it as
 * "Request too large or invalid BBOX. (<message>)".
 */
export class MapBBoxError extends ProxyError {
  declare readonly code: Extract<LayerErrorCode, 'LAYER_INVALID_BBOX'>;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'LAYER_INVALID_BBOX', options);
  }
}

/**
 * A map request the layer cannot answer as asked (MapProxy `MapError`): a WMS-C request in another
 * format or size than the cache's tiles. The WMS answers it as "Invalid request: <message>".
 */
export class MapRequestError extends ProxyError {
  declare readonly code: Extract<LayerErrorCode, 'LAYER_INVALID_REQUEST'>;
  constructor(message: string) {
    super(message, 'LAYER_INVALID_REQUEST');
  }
}

/** A requested dimension value the layer does not offer; services answer InvalidParameterValue. */
export class DimensionValueError extends ProxyError {
  declare readonly code: Extract<LayerErrorCode, 'LAYER_INVALID_DIMENSION'>;
  readonly dimension: string;
  constructor(dimension: string, value: string) {
    super(`invalid dimension value (${dimension}=${value}).`, 'LAYER_INVALID_DIMENSION');
    this.dimension = dimension;
  }
}
