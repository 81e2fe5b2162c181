/**
 * WMTS request errors (MapProxy `WMTS100ExceptionHandler`): an OWS 1.1 ExceptionReport as bare
 * `text/xml`, with the one OGC code -> HTTP status table of WMTS.
 */
import type { OgcCode, OgcError } from '../errors.js';
import { renderOwsExceptionReport } from '../ows-exception.js';
import { NO_CACHE } from '../responses.js';
import type { ServiceResponse } from '../types.js';

/** MapProxy `WMTS100ExceptionHandler.status_codes`; every other code is a 500. */
export const WMTS_STATUS: Readonly<Partial<Record<OgcCode, number>>> = {
  TileOutOfRange: 400,
  MissingParameterValue: 400,
  InvalidParameterValue: 400,
  OperationNotSupported: 501,
};

export function wmtsStatus(error: OgcError): number {
  return error.status ?? WMTS_STATUS[error.ogcCode] ?? 500;
}

export function renderWmtsError(error: OgcError): ServiceResponse {
  return {
    status: wmtsStatus(error),
    contentType: 'text/xml',
    body: renderOwsExceptionReport(error.message, error.ogcCode, error.locator),
    cache: NO_CACHE,
  };
}
