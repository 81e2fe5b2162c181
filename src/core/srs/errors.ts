/** Errors of the SRS module: unknown reference systems and failed transformations. */
import { ProxyError } from '../util/index.js';

/** Stable codes of `SrsError`. */
export const SRS_ERROR_CODES = [
  'SRS_UNKNOWN',
  'SRS_TRANSFORM',
] as const;
export type SrsErrorCode = (typeof SRS_ERROR_CODES)[number];

/** An SRS code that cannot be resolved, or a transformation without a single finite result. */
export class SrsError extends ProxyError {
  declare readonly code: SrsErrorCode;
  // narrows `code` to SrsErrorCode for callers; not useless despite only calling super
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(message: string, code: SrsErrorCode, options?: { cause?: unknown }) {
    super(message, code, options);
  }
}
