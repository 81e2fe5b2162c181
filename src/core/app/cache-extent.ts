/**
 * The extent a cache's layers advertise and render within when `caches.<name>.cache.coverage` is
 * set (MapProxy >= 1.16 `CacheConfiguration.caches()`: "prefer the cache coverage's extent").
 */
import type { LoadedConfig } from '../config/index.js';
import type { LayerExtent } from '../layer/index.js';
import { configCoverage } from './coverage-from-config.js';

/**
 * The bounds of the cache's `cache.coverage` in its own SRS, or undefined without one. MapProxy
 * 1.15 ignores the key with a warning; the documented behaviour (caches.rst, coverages.rst) is
 * followed here. Throws `ConfigError` for an invalid coverage.
 */
export function cacheCoverageExtent(loaded: LoadedConfig, name: string): LayerExtent | undefined {
  const section = loaded.config.caches[name]?.cache.coverage;
  if (section === undefined) return undefined;
  const coverage = configCoverage(loaded, ['caches', name, 'cache', 'coverage'], section);
  return { bbox: coverage.bbox, srs: coverage.srs };
}
