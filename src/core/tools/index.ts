/**
 * The reports behind `grids`, `scales` and `wms-capabilities`: use cases that neither serve nor
 * seed. They read a configuration through app's builders or ask a remote WMS, and never print.
 */
export { ToolsError, TOOLS_ERROR_CODES, type ToolsErrorCode } from './errors.js';
/**
 * `describeGrids(options)`: the grids of a configuration with their levels (`mapproxy-util grids`),
 * `formatGridsReport` prints it as MapProxy does. Rejects with `ConfigErrors`/`ConfigError` and
 * `ToolsError` (`TOOLS_UNKNOWN_GRID`, `TOOLS_OPTION_CONFLICT`, `TOOLS_UNKNOWN_COVERAGE`,
 * `TOOLS_EMPTY_COVERAGE`).
 */
export {
  describeGrids,
  type DescribeGridsOptions,
  type GridsReport,
  type GridDescription,
  type GridConfEntry,
  type GridLevel,
} from './describe-grids.js';
export { formatGridsReport } from './format-grids.js';
/** `describeScales(options)`: `mapproxy-util scales`; throws `ToolsError` (`TOOLS_INVALID_VALUE`). */
export { describeScales, type ScalesOptions } from './scales.js';
/**
 * `fetchWmsCapabilities(url, { version })` and `formatWmsCapabilities(caps)`: `mapproxy-util
 * wms-capabilities`. Rejects with `ToolsError` `TOOLS_CAPABILITIES_UNREACHABLE` / `TOOLS_CAPABILITIES_INVALID`.
 */
export {
  fetchWmsCapabilities,
  parseWmsCapabilities,
  capabilitiesUrl,
  type WmsCapabilities,
  type CapabilitiesLayer,
  type CapabilitiesVersion,
} from './wms-capabilities.js';
export { formatWmsCapabilities } from './format-wms-capabilities.js';
