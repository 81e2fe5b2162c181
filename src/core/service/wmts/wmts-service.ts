/**
 * `WmtsKvpService` (the `SERVICE=WMTS` part of the OWS dispatcher) and `WmtsRestService`
 * (`/wmts/...`): MapProxy's `WMTSServer` and `WMTSRestServer`.
 */
import type { TileLayer } from '../../layer/index.js';
import { OgcError } from '../errors.js';
import type { ServiceMetadata } from '../metadata.js';
import { baseUrl, documentResponse, NO_CACHE } from '../responses.js';
import { DEFAULT_MAX_AGE_SECONDS, type TileCachingOptions } from '../tile-serving.js';
import type { Service, ServiceRequest, ServiceResponse } from '../types.js';
import { renderWmtsCapabilities } from './capabilities.js';
import { parseWmtsKvp } from './kvp.js';
import {
  DEFAULT_RESTFUL_FEATUREINFO_TEMPLATE,
  DEFAULT_RESTFUL_TEMPLATE,
  FEATUREINFO_TEMPLATE_REQUIRED,
  parseRestfulRequest,
  RESTFUL_CAPABILITIES_PATH,
  RestfulTemplate,
  TILE_TEMPLATE_REQUIRED,
} from './restful.js';
import { renderWmtsError } from './wmts-exception.js';
import { buildWmtsLayerSet, type WmtsLayerSet } from './wmts-layers.js';
import type { WmtsRequest } from './wmts-request.js';
import { getWmtsTile, wmtsFeatureInfo, type FeatureInfoFormat } from './wmts-tiles.js';

export interface WmtsServiceOptions {
  /** The tile layers, one per layer and grid; grids WMTS cannot address from the top left are skipped. */
  readonly layers: readonly TileLayer[];
  /** `services.wmts.md` over `services.wms.md`. */
  readonly metadata?: ServiceMetadata | undefined;
  /** `globals.tiles.expires_hours * 3600`; default 72 hours. */
  readonly maxAgeSeconds?: number | undefined;
  /** Clock (ms since epoch) for the timestamp of tiles that were not stored; default `Date.now`. */
  readonly now?: (() => number) | undefined;
  /** `services.wmts.featureinfo_formats`; default none. */
  readonly featureInfoFormats?: readonly FeatureInfoFormat[] | undefined;
}

export interface WmtsRestServiceOptions extends WmtsServiceOptions {
  /** `services.wmts.restful_template`; default `/{Layer}/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}.{Format}`. */
  readonly restfulTemplate?: string | undefined;
  /** `services.wmts.restful_featureinfo_template`. */
  readonly restfulFeatureInfoTemplate?: string | undefined;
}

const CAPABILITIES_CONTENT_TYPE = 'application/xml';

abstract class WmtsServiceBase implements Service {
  protected readonly layerSet: WmtsLayerSet;
  protected readonly metadata: ServiceMetadata;
  protected readonly caching: TileCachingOptions;
  protected readonly infoFormats: readonly FeatureInfoFormat[];

  constructor(options: WmtsServiceOptions) {
    this.layerSet = buildWmtsLayerSet(options.layers);
    this.metadata = options.metadata ?? {};
    this.infoFormats = options.featureInfoFormats ?? [];
    // WMTS always sends tile cache headers (MapProxy WMTSServer.tile)
    this.caching = {
      maxAgeSeconds: options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS,
      now: options.now ?? Date.now,
      alwaysCacheHeaders: true,
    };
  }

  abstract handle(request: ServiceRequest): Promise<ServiceResponse>;

  /** The capabilities document for `request`. */
  protected abstract capabilities(request: ServiceRequest): string;

  /** Runs a parsed request; request errors become ExceptionReports. */
  protected async answer(
    request: ServiceRequest,
    parse: () => WmtsRequest,
    restful: boolean,
  ): Promise<ServiceResponse> {
    try {
      const parsed = parse();
      switch (parsed.kind) {
        case 'capabilities':
          return documentResponse(this.capabilities(request), CAPABILITIES_CONTENT_TYPE);
        case 'tile':
          return await getWmtsTile(this.layerSet, parsed, this.caching, restful);
        case 'featureinfo':
          return await wmtsFeatureInfo(this.layerSet, parsed, this.infoFormats, restful);
      }
    } catch (error) {
      if (error instanceof OgcError) return renderWmtsError(error);
      throw error;
    }
  }
}

/** WMTS KVP: `SERVICE=WMTS&REQUEST=GetCapabilities|GetTile|GetFeatureInfo`, routed by `OwsService`. */
export class WmtsKvpService extends WmtsServiceBase {
  handle(request: ServiceRequest): Promise<ServiceResponse> {
    return this.answer(request, () => parseWmtsKvp(request.query), false);
  }

  protected capabilities(request: ServiceRequest): string {
    return renderWmtsCapabilities({
      metadata: this.metadata,
      layers: this.layerSet.layers.values(),
      matrixSets: this.layerSet.matrixSets,
      url: baseUrl(request),
      infoFormats: this.infoFormats,
    });
  }
}

/** WMTS RESTful: `/wmts/1.0.0/WMTSCapabilities.xml` and tiles by `restful_template`. */
export class WmtsRestService extends WmtsServiceBase {
  readonly #tileTemplate: RestfulTemplate;
  readonly #featureInfoTemplate: RestfulTemplate;

  /** Throws `ServiceError` (`SERVICE_INVALID_TEMPLATE`) for a template without the required variables. */
  constructor(options: WmtsRestServiceOptions) {
    super(options);
    this.#tileTemplate = new RestfulTemplate(
      options.restfulTemplate ?? DEFAULT_RESTFUL_TEMPLATE,
      TILE_TEMPLATE_REQUIRED,
    );
    this.#featureInfoTemplate = new RestfulTemplate(
      options.restfulFeatureInfoTemplate ?? DEFAULT_RESTFUL_FEATUREINFO_TEMPLATE,
      FEATUREINFO_TEMPLATE_REQUIRED,
    );
  }

  handle(request: ServiceRequest): Promise<ServiceResponse> {
    const parsed = parseRestfulRequest(request.path, this.#tileTemplate, this.#featureInfoTemplate);
    if (parsed === null) {
      // MapProxy 1.15 answers a 500 `internal error: ...` here (a RequestError without a request);
      // a path that names no tile is the client's error: 404, as its TMS and KML answer one
      return Promise.resolve({
        status: 404,
        contentType: 'text/plain; charset=utf-8',
        body: `invalid request (${request.path})`,
        cache: NO_CACHE,
      });
    }
    return this.answer(request, () => parsed, true);
  }

  protected capabilities(request: ServiceRequest): string {
    return renderWmtsCapabilities({
      metadata: this.metadata,
      layers: this.layerSet.layers.values(),
      matrixSets: this.layerSet.matrixSets,
      url: baseUrl(request).slice(0, -RESTFUL_CAPABILITIES_PATH.length),
      restfulTemplate: this.#tileTemplate.template,
      featureInfoTemplate: this.#featureInfoTemplate.template,
      infoFormats: this.infoFormats,
    });
  }
}
