/** Errors of the composition root and the CLI use cases built on it (bad command input, unknown names). */
import { ProxyError } from '../util/index.js';

/** Stable codes of `AppError`. */
export const APP_ERROR_CODES = [
  'APP_INVALID_VALUE',
  'APP_UNKNOWN_GRID',
  'APP_UNKNOWN_COVERAGE',
  'APP_UNSUPPORTED_COVERAGE',
  'APP_OPTION_CONFLICT',
  'APP_CAPABILITIES_UNREACHABLE',
  'APP_CAPABILITIES_INVALID',
] as const;
export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

/** Input a use case cannot work with, e.g. `scales abc` or `grids -g nope`. */
export class AppError extends ProxyError {
  declare readonly code: AppErrorCode;

  // narrows `code` to the codes above, so a typo does not compile
  constructor(message: string, code: AppErrorCode, options: { cause?: unknown } = {}) {
    super(message, code, options);
  }
}
