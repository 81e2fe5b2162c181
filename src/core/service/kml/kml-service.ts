/**
 * `KmlService`: MapProxy's `KMLServer` on `/kml`. Super-overlay documents per tile (sw origin,
 * grid levels, no TMS profile) and the tile images they reference; plain-text errors.
 */
import { affectedLevelTiles, flipTileCoord, tileBBox, tmsGridInfo, type TileGrid } from '../../grid/index.js';
import type { TileLayer } from '../../layer/index.js';
import { getSrs } from '../../srs/index.js';
import type { BBox } from '../../util/index.js';
import { OgcError } from '../errors.js';
import { documentResponse } from '../responses.js';
import { externalTileCoord, internalTileCoord } from '../tile-coords.js';
import { TileLayerIndex, type TileLayerEntry } from '../tile-layer-index.js';
import { parseKmlInitPath, parseKmlTilePath, type TilePath } from '../tile-paths.js';
import {
  checkTileFormat,
  DEFAULT_MAX_AGE_SECONDS,
  outOfRange,
  serveTile,
  type TileCachingOptions,
} from '../tile-serving.js';
import { renderPlainError } from '../tms/tms-exception.js';
import type { Service, ServiceRequest, ServiceResponse } from '../types.js';
import { renderKmlDocument, type KmlTile } from './kml-document.js';

export interface KmlServiceOptions {
  /** The tile layers, one per layer and grid, in configuration order. */
  readonly layers: readonly TileLayer[];
  /** `services.kml.use_grid_names`. */
  readonly useGridNames?: boolean | undefined;
  /** `globals.tiles.expires_hours * 3600`; default 72 hours. */
  readonly maxAgeSeconds?: number | undefined;
  /** Clock (ms since epoch) for the timestamp of tiles that were not stored; default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

const KML_CONTENT_TYPE = 'application/vnd.google-earth.kml+xml';
const MERCATOR_MAX = 20037508.342789244;
// MapProxy: only sub tiles whose lower-left corner lies in the tile, so none appears in two documents
/** The most sub tiles one document links to (4 for a grid whose levels halve the resolution). */
const MAX_KML_SUBTILES = 1024;
const SUBTILE_DELTA = -1.0 / 10e6;

export class KmlService implements Service {
  readonly #index: TileLayerIndex;
  readonly #caching: TileCachingOptions;

  constructor(options: KmlServiceOptions) {
    // MapProxy KMLServer._internal_layer prefers EPSG:4326 (the opposite of TMS)
    this.#index = new TileLayerIndex(options.layers, {
      useGridNames: options.useGridNames,
      fallbackSuffixes: ['EPSG4326', 'EPSG900913'],
    });
    this.#caching = {
      maxAgeSeconds: options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS,
      now: options.now ?? Date.now,
      alwaysCacheHeaders: true,
    };
  }

  async handle(request: ServiceRequest): Promise<ServiceResponse> {
    try {
      const path = parseKmlInitPath(request.path) ?? parseKmlTilePath(request.path);
      if (path === null) throw new OgcError(`invalid request (${request.path})`);
      const entry = this.#index.find(path.layer, path.spec);
      if (entry === null) {
        throw new OgcError(`unknown layer: ${path.layer}`, 'InvalidParameterValue', { locator: 'layer' });
      }
      if (path.format === 'kml') return this.#document(request, path, entry);
      const { layer } = entry;
      checkTileFormat(layer, path.format);
      const coord = internalTileCoord(layer.grid, tmsGridInfo(layer.grid), path.tile, {
        useProfiles: false,
        origin: 'sw',
      });
      if (coord === null) throw outOfRange();
      return await serveTile(layer, coord, this.#caching);
    } catch (error) {
      if (error instanceof OgcError) return renderPlainError(error);
      throw error;
    }
  }

  #document(request: ServiceRequest, path: TilePath, entry: TileLayerEntry): ServiceResponse {
    const { grid } = entry.layer;
    const info = tmsGridInfo(grid);
    const coord = internalTileCoord(grid, info, path.tile, { useProfiles: false, origin: 'sw' });
    if (coord === null) throw outOfRange();
    const bbox = tileBBox(grid, coord, true);
    const subtiles: KmlTile[] = [];
    // the sub tiles' level: MapProxy maps (x, y, z + 1) through the public->internal level rule
    const next = internalTileCoord(
      grid,
      info,
      { ...path.tile, z: path.tile.z + 1 },
      { useProfiles: false, origin: null },
    );
    // MapProxy fails with a 500 below the last level; a document without sub tiles is more useful.
    // Counted before listed: a grid whose next level is far finer would list millions of links.
    const block = next === null ? null : affectedLevelTiles(grid, bbox, next.z);
    const listed = block !== null && block.count <= MAX_KML_SUBTILES ? block.tiles : [];
    for (const sub of listed) {
      if (sub === null) continue;
      const subBBox = tileBBox(grid, sub);
      if (subBBox[0] - bbox[0] > SUBTILE_DELTA && subBBox[1] - bbox[1] > SUBTILE_DELTA) {
        const external = externalTileCoord(info, sub, false);
        subtiles.push({
          coord: grid.origin === 'ul' ? flipTileCoord(grid, external) : external,
          wgs84BBox: toWgs84(subBBox, grid),
        });
      }
    }
    const body = renderKmlDocument({
      name: path.layer,
      tile: { coord: path.tile, wgs84BBox: toWgs84(bbox, grid) },
      subtiles,
      baseHref: `${request.scriptUrl.replace(/\/+$/, '')}/kml/${entry.namePath.join('/')}`,
      extension: entry.layer.extension,
      tileWidth: grid.tileSize[0],
    });
    return documentResponse(body, KML_CONTENT_TYPE, 200, {
      kind: 'document',
      maxAgeSeconds: this.#caching.maxAgeSeconds,
    });
  }
}

/**
 * MapProxy `_tile_bbox_to_wgs`: the four corners transformed to EPSG:4326 (non-finite results
 * dropped); for mercator grids an edge at the world's edge becomes ±90°.
 */
function toWgs84(bbox: BBox, grid: TileGrid): BBox {
  const wgs84 = getSrs(4326);
  if (grid.srs.equals(wgs84)) return bbox;
  const corners = grid.srs.transformPoints(wgs84, [
    [bbox[0], bbox[1]],
    [bbox[2], bbox[1]],
    [bbox[2], bbox[3]],
    [bbox[0], bbox[3]],
  ]);
  const xs = corners.map((point) => point[0]).filter(Number.isFinite);
  const ys = corners.map((point) => point[1]).filter(Number.isFinite);
  const result: [number, number, number, number] = [
    Math.min(...xs),
    Math.min(...ys),
    Math.max(...xs),
    Math.max(...ys),
  ];
  if (grid.srs.equals(getSrs(900913))) {
    if (Math.abs(bbox[1] + MERCATOR_MAX) < 0.1) result[1] = -90.0;
    if (Math.abs(bbox[3] - MERCATOR_MAX) < 0.1) result[3] = 90.0;
  }
  return result;
}
