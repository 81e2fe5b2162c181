/** Errors the commands raise themselves: usage errors and input that ended too early. */
import { ProxyError } from '../util/index.js';

/** Stable codes of `CliError`. */
export const CLI_ERROR_CODES = ['CLI_USAGE', 'CLI_INPUT_ENDED'] as const;
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number];

/**
 * A problem a command finds in its own arguments (`CLI_USAGE`: a missing or conflicting
 * argument) or input (`CLI_INPUT_ENDED`: standard input ended before a question was answered).
 */
export class CliError extends ProxyError {
  declare readonly code: CliErrorCode;
  // narrows `code` to the codes above, so a code outside the catalogue does not compile
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(message: string, code: CliErrorCode, options?: { cause?: unknown }) {
    super(message, code, options);
  }
}
