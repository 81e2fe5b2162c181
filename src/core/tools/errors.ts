/**
 * Errors of the CLI tools (`grids`, `scales`, `wms-capabilities`): bad command input, unknown
 * names, a remote WMS that does not answer or answers no capabilities.
 */
import { ProxyError } from '../util/index.js';

/** Stable codes of `ToolsError` (before the tools had a module of their own: `APP_...`). */
export const TOOLS_ERROR_CODES = [
  'TOOLS_INVALID_VALUE',
  'TOOLS_UNKNOWN_GRID',
  'TOOLS_UNKNOWN_COVERAGE',
  'TOOLS_EMPTY_COVERAGE',
  'TOOLS_OPTION_CONFLICT',
  'TOOLS_CAPABILITIES_UNREACHABLE',
  'TOOLS_CAPABILITIES_INVALID',
] as const;
export type ToolsErrorCode = (typeof TOOLS_ERROR_CODES)[number];

/** Input a tool cannot work with, e.g. `scales abc`, `grids -g nope` or a WMS that does not answer. */
export class ToolsError extends ProxyError {
  declare readonly code: ToolsErrorCode;

  // narrows `code` to the codes above, so a typo does not compile
  constructor(message: string, code: ToolsErrorCode, options: { cause?: unknown } = {}) {
    super(message, code, options);
  }
}
