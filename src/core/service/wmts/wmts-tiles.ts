/**
 * GetTile and GetFeatureInfo against the WMTS layers (MapProxy `WMTSServer.tile`/`featureinfo`):
 * layer and matrix set lookup, format check, TileRow from the top -> the grid's own row.
 */
import { flipTileCoord, limitTile, tileBBox } from '../../grid/index.js';
import { checkedDimensions, DimensionValueError, type TileLayer } from '../../layer/index.js';
import { OgcError } from '../errors.js';
import { infoContentType, mergeFeatureInfo, queryFeatureInfo } from '../feature-info.js';
import { NO_CACHE_HEADERS } from '../responses.js';
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
  if (restful) checkRestfulDimensions(declared, request.dimensions);
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

/** MapProxy `WMTSRestServer.check_request_dimensions`: a template dimension the layer lacks must be `default`. */
function checkRestfulDimensions(
  declared: ReadonlySet<string>,
  requested: Readonly<Record<string, string>>,
): void {
  for (const [dimension, value] of Object.entries(requested)) {
    if (!declared.has(dimension) && value !== 'default') {
      throw new OgcError(`unknown dimension: ${dimension}`, 'InvalidParameterValue', {
        locator: dimension,
      });
    }
  }
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
 * GetFeatureInfo (MapProxy `WMTSServer.featureinfo`): checks layer, matrix set and info format, then
 * asks the layer's info sources about pixel `[I, J]` of the tile (its bbox, the grid's tile size, no
 * dimensions) and merges their answers. `restful` adds the REST dimension check of GetTile.
 */
export async function wmtsFeatureInfo(
  set: WmtsLayerSet,
  request: WmtsFeatureInfoRequest,
  infoFormats: readonly FeatureInfoFormat[],
  restful: boolean,
): Promise<ServiceResponse> {
  // 1. layer, matrix set, info format (REST: the template's suffix stands for its mime type)
  const layer = requestedLayer(set, request);
  const infoFormat = request.infoFormat.includes('/')
    ? infoFormats.find((format) => format.mimetype === request.infoFormat)
    : infoFormats.find((format) => format.suffix === request.infoFormat);
  if (infoFormat === undefined) {
    // without a locator, as MapProxy 1.15's WMTSServer.check_request raises it
    throw new OgcError(`unknown infoformat: ${request.infoFormat}`, 'InvalidParameterValue');
  }
  if (restful) {
    const declared = new Set((layer.dimensions ?? []).map((d) => d.identifier.toLowerCase()));
    checkRestfulDimensions(declared, request.dimensions);
  }
  const sources = layer.infoSources ?? [];
  if (sources.length === 0) {
    throw new OgcError(`layer ${request.layer} not queryable`, 'OperationNotSupported');
  }
  // 2. the tile: TileRow counts from the top. MapProxy 1.15 takes it as the grid's own row and so
  // queries the mirrored tile on lower-left-origin grids (docs/differences.md); we flip as GetTile does
  const { x, y, z } = request.tile;
  const coord = z < 0 ? null : limitTile(layer.grid, { x, y, z });
  if (coord === null) throw outOfRange();
  const internal = layer.grid.origin === 'll' ? flipTileCoord(layer.grid, coord) : coord;
  // 3. query every source, merge once
  const docs = await queryFeatureInfo(sources, {
    bbox: tileBBox(layer.grid, internal),
    size: layer.grid.tileSize,
    srs: layer.grid.srs,
    pos: request.pos,
    infoFormat: infoFormat.mimetype,
    featureCount: request.featureCount,
  });
  // MapProxy answers in the requested info format, also when no source had anything to say
  return {
    status: 200,
    contentType: infoContentType(infoFormat.mimetype),
    body: docs.length === 0 ? Buffer.alloc(0) : mergeFeatureInfo(docs).data,
    cache: NO_CACHE_HEADERS,
  };
}
