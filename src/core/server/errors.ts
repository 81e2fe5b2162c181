/** Errors of the HTTP server layer: bad bind addresses, failures to listen. */
import { ProxyError } from '../util/index.js';

export type ServerErrorCode = 'SERVER_BAD_BIND' | 'SERVER_LISTEN';

export class ServerError extends ProxyError {
  declare readonly code: ServerErrorCode;
}
