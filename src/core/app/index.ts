/**
 * Composition root: builds runtime objects (grids so far) from a loaded configuration, and the
 * CLI use cases that need them (`grids`, `scales`). Config errors keep their YAML position.
 */
export { AppError, type AppErrorCode } from './errors.js';
export { buildGrids } from './build-grids.js';
export {
  describeGrids,
  type DescribeGridsOptions,
  type GridsReport,
  type GridDescription,
  type GridConfEntry,
  type GridLevel,
} from './describe-grids.js';
export { formatGridsReport } from './format-grids.js';
export { describeScales, type ScalesOptions } from './scales.js';
export type { ServedApp, LoadedApp, AppLoader, OperationsSettings } from './served-app.js';
export { checkConfiguration } from './check.js';
export { loadServedApp } from './load-served-app.js';
export { buildProxy, type ProxyRuntime } from './build-proxy.js';
/**
 * `fetchWmsCapabilities(url, { version })` and `formatWmsCapabilities(caps)`: `mapproxy-util
 * wms-capabilities`. Rejects with `AppError` `APP_CAPABILITIES_UNREACHABLE` / `APP_CAPABILITIES_INVALID`.
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
/**
 * `coverageFromConfig(section, fail)`: a config coverage (bbox, WKT/GeoJSON/OGR/bbox `datasource`
 * with `where`, `ogr_datasource`, `polygons`, `expire_tiles`, union/intersection/difference) as a
 * grid `Coverage`, reading files synchronously (OGR data sources through Debian's ogr2ogr); each
 * problem goes through `fail(keyPath, message, {cause})`. `seedingCoverage` gives null for a coverage
 * without area; `seedConfigCoverage(seed, name)` builds a seed.yaml coverage, failing with a
 * `ConfigError` at its seed.yaml key.
 */
export {
  coverageFromConfig,
  seedConfigCoverage,
  seedingCoverage,
  type CoverageFailure,
} from './coverage-from-config.js';
export {
  loadDatasourceFile,
  loadExpireTiles,
  loadOgrDatasource,
  loadWktFile,
  CoverageFileError,
} from './coverage-files.js';
