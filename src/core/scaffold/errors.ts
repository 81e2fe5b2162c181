/** Errors of `create`: unknown templates, missing options, files that would be overwritten. */
import { ProxyError } from '../util/index.js';

export type ScaffoldErrorCode = 'SCAFFOLD_UNKNOWN_TEMPLATE' | 'SCAFFOLD_NEEDS_CONFIG' | 'SCAFFOLD_EXISTS';

export class ScaffoldError extends ProxyError {
  declare readonly code: ScaffoldErrorCode;
}
