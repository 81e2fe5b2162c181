/** Errors of the HTTP server layer: bad bind addresses, failures to listen, unusable server scripts. */
import { ProxyError } from '../util/index.js';

export type ServerErrorCode =
  'SERVER_BAD_BIND' | 'SERVER_LISTEN' | 'SERVER_BAD_SCRIPT' | 'SERVER_WORKER_FAILED' | 'SERVER_BAD_PROJECT_DIR';

export class ServerError extends ProxyError {
  declare readonly code: ServerErrorCode;
}
