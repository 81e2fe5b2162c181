/**
 * GetTile and GetFeatureInfo against the WMTS layers (MapProxy `WMTSServer.tile`/`featureinfo`):
 * layer and matrix set lookup, format check, TileRow from the top -> the grid's own row.
 */
import { flipTileCoord, limitTile } from '../../grid/index.js';
import { checkedDimensions, DimensionValueError, type TileLayer } from '../../layer/index.js';
import { OgcError } from '../errors.js';
import { checkTileFormat, outOfRange, serveTile, type TileCachingOptions } from '../tile-serving.js';
import type { ServiceResponse } from '../types.js';
import type { WmtsLayerSet } from './wmts-layers.js';
import type { WmtsFeatureInfoRequest, WmtsTileRequest } from './wmts-request.js';

/** `featureinfo_formats` entry: `{mimetype, suffix}`. */
export interface FeatureInfoFormat {
  readonly mimetype: string;
  readonly suffix: string;
}

/** The tile layer a request addresses; `InvalidParameterValue` for an unknown layer or matrix set. */
export function requestedLayer(set: WmtsLayerSet, request: Omit<WmtsTileRequest, 'kind'>): TileLayer {
  const wmtsLayer = set.layers.get(request.layer);
  // MapProxy's check_request names no locator for either
  if (wmtsLayer === undefined) {
    throw new OgcError(`unknown layer: ${request.layer}`, 'InvalidParameterValue');
  }
  const layer = wmtsLayer.byGrid.get(request.tileMatrixSet);
  if (layer === undefined) {
    throw new OgcError(`unknown tilematrixset: ${request.tileMatrixSet}`, 'InvalidParameterValue');
  }
  return layer;
}

/**
 * Serves a GetTile. `restful` enables MapProxy's REST dimension check: a template dimension the
 * layer does not declare must be `default`. The layer's own dimensions then take the requested
 * value or their default (KVP: any extra parameter), and travel with the tile to the sources.
 */
export async function getWmtsTile(
  set: WmtsLayerSet,
  request: WmtsTileRequest,
  caching: TileCachingOptions,
  restful: boolean,
): Promise<ServiceResponse> {
  const layer = requestedLayer(set, request);
  const format = request.format === null || request.format === '' ? layer.extension : request.format;
  const declared = new Set((layer.dimensions ?? []).map((d) => d.identifier.toLowerCase()));
  if (restful) {
    for (const [dimension, value] of Object.entries(request.dimensions)) {
      if (!declared.has(dimension) && value !== 'default') {
        throw new OgcError(`unknown dimension: ${dimension}`, 'InvalidParameterValue', {
          locator: dimension,
        });
      }
    }
  }
  checkTileFormat(layer, format);
  // TileMatrix is the grid level: unlike MapProxy we do not double it for sqrt2 grids, as the
  // capabilities list every level of the grid
  const { x, y, z } = request.tile;
  const coord = z < 0 ? null : limitTile(layer.grid, { x, y, z });
  if (coord === null) throw outOfRange();
  const dimensions = layerDimensions(layer, request.dimensions);
  // WMTS rows count from the top: flip for grids with a lower-left origin
  const internal = layer.grid.origin === 'll' ? flipTileCoord(layer.grid, coord) : coord;
  return serveTile(layer, internal, caching, declared.size === 0 ? undefined : dimensions);
}

/** MapProxy `TileLayer.checked_dimensions`: an undeclared value is InvalidParameterValue. */
function layerDimensions(
  layer: TileLayer,
  requested: Readonly<Record<string, string>>,
): Record<string, string> {
  try {
    return checkedDimensions(layer.dimensions ?? [], requested);
  } catch (error) {
    if (error instanceof DimensionValueError) {
      // MapProxy 1.15 names no locator
      throw new OgcError(error.message, 'InvalidParameterValue');
    }
    throw error;
  }
}

/**
 * GetFeatureInfo: checks layer, matrix set and info format like MapProxy, then refuses with 501,
 * because tile layers have no FeatureInfo sources (yet).
 */
export function wmtsFeatureInfo(
  set: WmtsLayerSet,
  request: WmtsFeatureInfoRequest,
  infoFormats: readonly FeatureInfoFormat[],
): never {
  requestedLayer(set, request);
  const known = request.infoFormat.includes('/')
    ? infoFormats.some((format) => format.mimetype === request.infoFormat)
    : infoFormats.some((format) => format.suffix === request.infoFormat);
  if (!known) {
    throw new OgcError(`unknown infoformat: ${request.infoFormat}`, 'InvalidParameterValue', {
      locator: 'infoformat',
    });
  }
  throw new OgcError(`layer ${request.layer} not queryable`, 'OperationNotSupported');
}
