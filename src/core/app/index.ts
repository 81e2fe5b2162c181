/**
 * Composition root, and only that: turns a loaded configuration into runtime objects (grids,
 * sources, caches, layers, services), and `check` runs the same build. Config errors keep their
 * YAML position. The CLI reports built on it live in tools/.
 */
export { buildGrids } from './build-grids.js';
export type { ServedApp, LoadedApp, AppLoader, OperationsSettings } from './served-app.js';
export { checkConfiguration } from './check.js';
export { loadServedApp } from './load-served-app.js';
export { buildProxy, type BuildProxyOptions, type ProxyRuntime } from './build-proxy.js';
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
