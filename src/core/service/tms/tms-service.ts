/**
 * `TmsService`: MapProxy's `TileServer`, answering both `/tms` (TMS 1.0.0 with profiles, `sw`
 * origin, XML errors) and `/tiles` (grid levels, `?origin=nw|sw`, plain-text errors).
 */
import { tmsGridInfo } from '../../grid/index.js';
import type { TileLayer } from '../../layer/index.js';
import { OgcError } from '../errors.js';
import type { ServiceMetadata } from '../metadata.js';
import { baseUrl, documentResponse, TEXT_XML_UTF8 } from '../responses.js';
import type { RequestOrigin } from '../tile-coords.js';
import { internalTileCoord } from '../tile-coords.js';
import { TileLayerIndex, type TileLayerEntry } from '../tile-layer-index.js';
import { isTmsRootPath, parseTilePath, parseTmsCapabilitiesPath, type TilePath } from '../tile-paths.js';
import {
  checkTileFormat,
  DEFAULT_MAX_AGE_SECONDS,
  outOfRange,
  serveTile,
  type TileCachingOptions,
} from '../tile-serving.js';
import type { Service, ServiceRequest, ServiceResponse } from '../types.js';
import { renderTileMap, renderTileMapService, renderTmsRootResource } from './capabilities.js';
import { renderPlainError, renderTmsError } from './tms-exception.js';

export interface TmsServiceOptions {
  /** The tile layers, one per layer and grid, in configuration order. */
  readonly layers: readonly TileLayer[];
  /** `services.tms.md` over `services.wms.md`: title and abstract of the TileMapService. */
  readonly metadata?: ServiceMetadata | undefined;
  /** `services.tms.use_grid_names`. */
  readonly useGridNames?: boolean | undefined;
  /** `services.tms.origin`: the default origin of `/tiles` requests without `?origin=` (not `/tms`). */
  readonly origin?: 'sw' | 'nw' | undefined;
  /** `globals.tiles.expires_hours * 3600`; default 72 hours. */
  readonly maxAgeSeconds?: number | undefined;
  /** Clock (ms since epoch) for the timestamp of tiles that were not stored; default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

type TileRoute = '/tms' | '/tiles';

export class TmsService implements Service {
  readonly #index: TileLayerIndex;
  readonly #metadata: ServiceMetadata;
  readonly #origin: RequestOrigin;
  readonly #caching: TileCachingOptions;

  constructor(options: TmsServiceOptions) {
    // MapProxy TileServer._internal_layer: `osm` finds osm_EPSG900913, then osm_EPSG4326
    this.#index = new TileLayerIndex(options.layers, {
      useGridNames: options.useGridNames,
      fallbackSuffixes: ['EPSG900913', 'EPSG4326'],
    });
    this.#metadata = options.metadata ?? {};
    this.#origin = options.origin ?? null;
    this.#caching = {
      maxAgeSeconds: options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS,
      now: options.now ?? Date.now,
      alwaysCacheHeaders: false,
    };
  }

  async handle(request: ServiceRequest): Promise<ServiceResponse> {
    // MapProxy tile_request(): everything below /tms is TMS, everything else a /tiles request
    const route: TileRoute = request.path.startsWith('/tms') ? '/tms' : '/tiles';
    try {
      return await this.#dispatch(request, route);
    } catch (error) {
      if (!(error instanceof OgcError)) throw error;
      return route === '/tms' ? renderTmsError(error) : renderPlainError(error);
    }
  }

  async #dispatch(request: ServiceRequest, route: TileRoute): Promise<ServiceResponse> {
    if (route === '/tms') {
      const capabilities = parseTmsCapabilitiesPath(request.path);
      if (capabilities !== null) return this.#capabilities(request, capabilities);
      if (isTmsRootPath(request.path)) {
        return documentResponse(renderTmsRootResource(this.#metadata, baseUrl(request)), TEXT_XML_UTF8);
      }
    }
    const tilePath = parseTilePath(request.path, route);
    if (tilePath === null) throw new OgcError(`invalid request (${request.path})`);
    return this.#tile(request, route, tilePath);
  }

  #capabilities(request: ServiceRequest, path: { layer?: string; spec?: string }): ServiceResponse {
    const url = baseUrl(request);
    if (path.layer === undefined) {
      return documentResponse(
        renderTileMapService(this.#metadata, this.#index.entries(), url),
        TEXT_XML_UTF8,
      );
    }
    return documentResponse(renderTileMap(this.#layer(path.layer, path.spec), url), TEXT_XML_UTF8);
  }

  async #tile(request: ServiceRequest, route: TileRoute, path: TilePath): Promise<ServiceResponse> {
    const { layer } = this.#layer(path.layer, path.spec);
    checkTileFormat(layer, path.format);
    const coord = internalTileCoord(layer.grid, tmsGridInfo(layer.grid), path.tile, {
      useProfiles: route === '/tms',
      origin: route === '/tms' ? 'sw' : (requestOrigin(request) ?? this.#origin),
    });
    if (coord === null) throw outOfRange();
    return serveTile(layer, coord, this.#caching);
  }

  #layer(name: string, spec: string | undefined): TileLayerEntry {
    const entry = this.#index.find(name, spec);
    if (entry === null)
      throw new OgcError(`unknown layer: ${name}`, 'InvalidParameterValue', { locator: 'layer' });
    return entry;
  }
}

/** `?origin=` of a `/tiles` request; anything but `sw`/`nw` counts as not given (MapProxy). */
function requestOrigin(request: ServiceRequest): RequestOrigin {
  const origin = request.query.origin;
  return origin === 'sw' || origin === 'nw' ? origin : null;
}
