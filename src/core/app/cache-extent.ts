/**
 * The extent a cache's layers advertise and render within: `caches.<name>.cache.coverage` when set
 * (MapProxy >= 1.16 `CacheConfiguration.caches()`: "prefer the cache coverage's extent"), else
 * MapProxy 1.15's `merge_layer_extents` of its sources' coverages; undefined means the grid's.
 */
import type { LoadedConfig } from '../config/index.js';
import type { LayerExtent } from '../layer/index.js';
import { getSrs } from '../srs/index.js';
import type { BBox } from '../util/index.js';
import { configCoverage } from './coverage-from-config.js';

/** The cache's extent: its `cache.coverage`, else its sources' (see `sourcesExtent`). */
export function cacheExtent(loaded: LoadedConfig, name: string): LayerExtent | undefined {
  return cacheCoverageExtent(loaded, name) ?? sourcesExtent(loaded, loaded.config.caches[name]?.sources);
}

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

/** The bounds of a source's `coverage` (`name` or `name:layers`); null without one. */
export function sourceCoverageExtent(loaded: LoadedConfig, ref: string): LayerExtent | null {
  const name = ref.split(':')[0] ?? ref;
  const config = loaded.config.sources[name];
  const section = config !== undefined && 'coverage' in config ? config.coverage : undefined;
  if (section === undefined) return null;
  const c = configCoverage(loaded, ['sources', name, 'coverage'], section);
  return { bbox: c.bbox, srs: c.srs };
}

/**
 * MapProxy 1.15 `merge_layer_extents(sources)` for a cache: the union of its sources' coverages,
 * where a source without one does not count; undefined (the grid's extent) when none has one or a
 * source is another cache.
 */
function sourcesExtent(loaded: LoadedConfig, sources: unknown): LayerExtent | undefined {
  const refs = Array.isArray(sources) ? (sources as readonly string[]) : [];
  // a name that is both a source and a cache means the source (MapProxy looks up sources first)
  const { caches, sources: known } = loaded.config;
  if (refs.some((ref) => caches[ref] !== undefined && known[ref.split(':')[0] ?? ref] === undefined))
    return undefined;
  const extents = refs.flatMap((ref) => sourceCoverageExtent(loaded, ref) ?? []);
  if (extents.length === 0) return undefined;
  return extents.length === 1 ? extents[0] : unionExtent(extents);
}

/** The union of extents in EPSG:4326 (MapProxy `MapExtent.__add__`: their llbboxes merged). */
export function unionExtent(extents: readonly LayerExtent[]): LayerExtent {
  const wgs = getSrs('EPSG:4326');
  const boxes = extents.map((e) => (e.srs.equals(wgs) ? e.bbox : e.srs.transformBBox(wgs, e.bbox)));
  const bbox: BBox = [
    Math.min(...boxes.map((b) => b[0])),
    Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b[2])),
    Math.max(...boxes.map((b) => b[3])),
  ];
  return { bbox, srs: wgs };
}
