/** Errors of the HTTP server layer: bad bind addresses, failures to listen, unusable server scripts. */
import { ProxyError } from '../util/index.js';

export const SERVER_ERROR_CODES = [
  'SERVER_BAD_BIND',
  'SERVER_LISTEN',
  'SERVER_BAD_SCRIPT',
  'SERVER_WORKER_FAILED',
  'SERVER_BAD_PROJECT_DIR',
] as const;
export type ServerErrorCode = (typeof SERVER_ERROR_CODES)[number];

export class ServerError extends ProxyError {
  declare readonly code: ServerErrorCode;
  // narrows `code` to the codes above, so a code outside the catalogue does not compile
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(message: string, code: ServerErrorCode, options?: { cause?: unknown }) {
    super(message, code, options);
  }
}
