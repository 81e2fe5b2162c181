/**
 * `OwsService`: the dispatcher behind `/service` and `/ows` (and `/wms`), MapProxy's `OWSServer`.
 * Routes on the `SERVICE` parameter (value case-insensitive) to WMTS KVP or WMS (issue #4).
 */
import { OgcError } from './errors.js';
import { renderOwsExceptionReport } from './ows-exception.js';
import { NO_CACHE, NO_CACHE_HEADERS, TEXT_XML_UTF8 } from './responses.js';
import type { Service, ServiceRequest, ServiceResponse } from './types.js';

export interface OwsServiceOptions {
  /** The WMTS KVP service (`WmtsKvpService`), when WMTS with `kvp` is enabled. */
  readonly wmts?: Service | null | undefined;
  /** The WMS service, when enabled (issue #4). */
  readonly wms?: Service | null | undefined;
}

/** The dispatcher's own errors: every code is a 400 (MapProxy 7 `OWSServer`). */
const OWS_STATUS = 400;

export class OwsService implements Service {
  readonly #services: ReadonlyMap<string, Service>;

  constructor(options: OwsServiceOptions) {
    const services = new Map<string, Service>();
    if (options.wms) services.set('wms', options.wms);
    if (options.wmts) services.set('wmts', options.wmts);
    this.#services = services;
  }

  /** True when a WMS is registered: `/wms` is then routed here too (MapProxy adds the name). */
  get hasWms(): boolean {
    return this.#services.has('wms');
  }

  handle(request: ServiceRequest): Promise<ServiceResponse> {
    const { query } = request;
    let name = query.service?.toLowerCase();
    // MapProxy 1.15 `OWSServer`: SERVICE defaults to wms (WMS 1.0.0 clients send WMTVER only,
    // and many clients leave SERVICE out of GetMap/GetFeatureInfo)
    if (
      name === undefined &&
      (this.hasWms || query.wmtver !== undefined || query.request?.toLowerCase() === 'getmap')
    ) {
      name = 'wms';
    }
    if (name === undefined) {
      // MapProxy renders this one without the no-cache headers of other request errors
      return Promise.resolve(
        owsError(
          new OgcError('The service parameter is missing', 'MissingParameterValue', { locator: 'service' }),
          false,
        ),
      );
    }
    const service = this.#services.get(name);
    if (service === undefined) {
      const value = query.service ?? name;
      return Promise.resolve(
        owsError(
          new OgcError(`The value of the service parameter "${value}" is invalid`, 'InvalidParameterValue', {
            locator: 'service',
          }),
          true,
        ),
      );
    }
    return service.handle(request);
  }
}

function owsError(error: OgcError, noCache: boolean): ServiceResponse {
  return {
    status: error.status ?? OWS_STATUS,
    contentType: TEXT_XML_UTF8,
    body: renderOwsExceptionReport(error.message, error.ogcCode, error.locator),
    cache: noCache ? NO_CACHE : NO_CACHE_HEADERS,
  };
}
