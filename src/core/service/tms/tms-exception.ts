/**
 * Request errors of `/tms` (MapProxy `TMSExceptionHandler`: `<TileMapServerError>`) and of
 * `/tiles` and `/kml` (`PlainExceptionHandler`: the bare message), with their status table.
 */
import { xml } from '../../util/index.js';
import type { OgcError } from '../errors.js';
import { NO_CACHE, TEXT_PLAIN_UTF8, TEXT_XML_UTF8 } from '../responses.js';
import type { ServiceResponse } from '../types.js';

/**
 * The status table of the tile services: every request error is a 404 (whatever its OGC code),
 * a failure to create the tile (`internal`) a 500; an explicit `status` wins.
 */
export function tileServiceStatus(error: OgcError): number {
  return error.status ?? (error.internal ? 500 : 404);
}

export function renderTmsError(error: OgcError): ServiceResponse {
  const body = xml`<?xml version="1.0"?>
<TileMapServerError>
    <Message>${error.message}</Message>
</TileMapServerError>`.markup;
  return { status: tileServiceStatus(error), contentType: TEXT_XML_UTF8, body, cache: NO_CACHE };
}

export function renderPlainError(error: OgcError): ServiceResponse {
  return {
    status: tileServiceStatus(error),
    contentType: TEXT_PLAIN_UTF8,
    body: error.message,
    cache: NO_CACHE,
  };
}
