/** Errors of the seed module: unusable seed tasks, coverages and progress files. */
import { ProxyError } from '../util/index.js';

/** Stable codes of `SeedError`. */
export const SEED_ERROR_CODES = [
  'SEED_UNKNOWN_TASK',
  'SEED_COVERAGE',
  'SEED_PROGRESS_FILE',
  'SEED_METRICS_FILE',
  'SEED_INVALID_OPTION',
  'SEED_DESTINATION_EXISTS',
  'SEED_UNKNOWN_CACHE',
  'SEED_UNKNOWN_SOURCE',
  'SEED_UNKNOWN_GRID',
] as const;
export type SeedErrorCode = (typeof SEED_ERROR_CODES)[number];

/** A seed run that cannot start: unknown task names, unreadable coverages, a broken progress file. */
export class SeedError extends ProxyError {
  declare readonly code: SeedErrorCode;
  /** The key of the seed.yaml task the problem is at (`levels`), when it is one key's. */
  readonly key: string | undefined;
  // `code` narrowed to the codes above, so a code outside the catalogue does not compile
  constructor(message: string, code: SeedErrorCode, options?: { cause?: unknown; key?: string }) {
    super(message, code, options);
    this.key = options?.key;
  }
}
