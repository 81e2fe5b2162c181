/**
 * Errors of the service module: `OgcError` (a request a service refuses or cannot serve, rendered
 * by the service's own exception renderer) and `ServiceError` (a service that cannot be built).
 */
import { ProxyError } from '../util/index.js';

/** OGC exception codes (OWS 1.1, WMS, WMTS) the services use. */
export type OgcCode =
  | 'InvalidParameterValue'
  | 'MissingParameterValue'
  | 'LayerNotDefined'
  | 'InvalidSRS'
  | 'InvalidCRS'
  | 'InvalidFormat'
  | 'StyleNotDefined'
  | 'TileOutOfRange'
  | 'OperationNotSupported'
  | 'NoApplicableCode';

export interface OgcErrorOptions {
  /** The lower-cased request parameter at fault (OWS `locator`). */
  readonly locator?: string | null | undefined;
  /** Forces the HTTP status instead of the service's code table (e.g. 401/403). */
  readonly status?: number | undefined;
  /**
   * True when the request was valid but could not be served (a source or cache failed):
   * MapProxy's `RequestError(internal=True)`, a 500 in TMS, `/tiles` and KML.
   */
  readonly internal?: boolean | undefined;
  readonly cause?: unknown;
}

/** A request error (MapProxy `RequestError`): `message` is what the client reads. */
export class OgcError extends ProxyError {
  declare readonly code: 'SERVICE_REQUEST';
  readonly ogcCode: OgcCode;
  readonly locator: string | null;
  readonly status: number | undefined;
  readonly internal: boolean;

  constructor(message: string, ogcCode: OgcCode = 'NoApplicableCode', options: OgcErrorOptions = {}) {
    super(message, 'SERVICE_REQUEST', { cause: options.cause });
    this.ogcCode = ogcCode;
    this.locator = options.locator ?? null;
    this.status = options.status;
    this.internal = options.internal ?? false;
  }
}

/** Stable codes of `ServiceError`. */
export const SERVICE_ERROR_CODES = [
  'SERVICE_INVALID_TEMPLATE',
] as const;
export type ServiceErrorCode = (typeof SERVICE_ERROR_CODES)[number];

/** A service configuration that cannot work, e.g. a WMTS `restful_template` without `{TileRow}`. */
export class ServiceError extends ProxyError {
  declare readonly code: ServiceErrorCode;
  /** The offending template or setting, as configured. */
  readonly setting: string;
  constructor(message: string, code: ServiceErrorCode, options: { setting: string; cause?: unknown }) {
    super(message, code, { cause: options.cause });
    this.setting = options.setting;
  }
}
