/** Errors of the grid module: invalid grid definitions and impossible tile requests. */
import { ProxyError } from '../util/index.js';

/** Stable codes of `GridError`. */
export const GRID_ERROR_CODES = [
  'GRID_MISSING_BBOX',
  'GRID_INVALID_OPTION',
  'GRID_INVALID_BBOX',
  'GRID_TOO_MANY_TILES',
  'GRID_UNKNOWN_SRS',
  'GRID_UNKNOWN_BASE',
  'GRID_UNKNOWN_GRID',
  'GRID_BASE_CYCLE',
  'GRID_INVALID_LEVEL',
  'GRID_EMPTY_COVERAGE',
] as const;
export type GridErrorCode = (typeof GRID_ERROR_CODES)[number];

/**
 * A grid that cannot be built or a request it cannot answer. `gridName` and `key` (the YAML key,
 * e.g. `base`, `bbox_srs`) are set when the error comes from a named grid definition, so callers
 * can point at `grids.<gridName>.<key>`.
 */
export class GridError extends ProxyError {
  declare readonly code: GridErrorCode;
  readonly gridName: string | undefined;
  readonly key: string | undefined;
  constructor(
    message: string,
    code: GridErrorCode,
    options?: { cause?: unknown; gridName?: string | undefined; key?: string | undefined },
  ) {
    super(message, code, options);
    this.gridName = options?.gridName;
    this.key = options?.key;
  }
}
