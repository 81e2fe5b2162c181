/** Errors of `create`: unknown templates, missing options, files that would be overwritten or cannot be written. */
import { ProxyError } from '../util/index.js';

export const SCAFFOLD_ERROR_CODES = [
  'SCAFFOLD_UNKNOWN_TEMPLATE',
  'SCAFFOLD_NEEDS_CONFIG',
  'SCAFFOLD_EXISTS',
  'SCAFFOLD_WRITE',
] as const;
export type ScaffoldErrorCode = (typeof SCAFFOLD_ERROR_CODES)[number];

export class ScaffoldError extends ProxyError {
  declare readonly code: ScaffoldErrorCode;
  // narrows `code` to the codes above, so a code outside the catalogue does not compile
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(message: string, code: ScaffoldErrorCode, options?: { cause?: unknown }) {
    super(message, code, options);
  }
}
