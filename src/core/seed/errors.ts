/** Errors of the seed module: unusable seed tasks, coverages and progress files. */
import { ProxyError } from '../util/index.js';

/** Stable codes of `SeedError`. */
export type SeedErrorCode =
  | 'SEED_UNKNOWN_TASK'
  | 'SEED_COVERAGE'
  | 'SEED_PROGRESS_FILE'
  | 'SEED_INVALID_OPTION'
  | 'SEED_DESTINATION_EXISTS'
  | 'SEED_UNKNOWN_CACHE';

/** A seed run that cannot start: unknown task names, unreadable coverages, a broken progress file. */
export class SeedError extends ProxyError {
  declare readonly code: SeedErrorCode;
}
