/**
 * WMTS request errors (MapProxy `WMTS100ExceptionHandler`): an OWS 1.1 ExceptionReport as bare
 * `text/xml`, with the one OGC code -> HTTP status table of WMTS.
 */
import type { OgcCode, OgcError } from '../errors.js';
import { renderOwsExceptionReport } from '../ows-exception.js';
import { NO_CACHE } from '../responses.js';
import type { ServiceResponse } from '../types.js';

/**
 * MapProxy `WMTS100ExceptionHandler.status_codes`. MapProxy answers every other code with a 500;
 * we keep the 500 for failures of sources and caches (`internal`) and answer the client's own
 * errors (missing parameters, unknown request or style) with a 400 (docs/differences.md).
 */
export const WMTS_STATUS: Readonly<Partial<Record<OgcCode, number>>> = {
  TileOutOfRange: 400,
  MissingParameterValue: 400,
  InvalidParameterValue: 400,
  OperationNotSupported: 501,
};

export function wmtsStatus(error: OgcError): number {
  return error.status ?? WMTS_STATUS[error.ogcCode] ?? (error.internal ? 500 : 400);
}

export function renderWmtsError(error: OgcError): ServiceResponse {
  return {
    status: wmtsStatus(error),
    contentType: 'text/xml',
    body: renderOwsExceptionReport(error.message, error.ogcCode, error.locator),
    cache: NO_CACHE,
  };
}
