/**
 * The extent a cache's layers advertise and render within: `caches.<name>.cache.coverage` when set
 * (MapProxy >= 1.16 `CacheConfiguration.caches()`: "prefer the cache coverage's extent"), else
 * MapProxy 1.15's `merge_layer_extents` of its sources' coverages; undefined means the grid's.
 */
import type { TileManager } from '../cache/index.js';
import type { LoadedConfig } from '../config/index.js';
import type { TileGrid } from '../grid/index.js';
import type { LayerExtent } from '../layer/index.js';
import { getSrs } from '../srs/index.js';
import { bboxIntersects, type BBox } from '../util/index.js';
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

/**
 * The extent of cache `name` used as a source of a cache on `consumerGrid` (MapProxy 1.15
 * `CacheConfiguration.source()`): the source cache's extent (its coverage or its sources', else
 * its first grid's bbox) intersected with the consumer grid's bbox, in the source extent's SRS;
 * undefined when they do not meet (MapProxy then falls back to the source grid's extent).
 */
export function cacheSourceExtent(
  loaded: LoadedConfig,
  name: string,
  managers: ReadonlyMap<string, TileManager>,
  consumerGrid: TileGrid,
): LayerExtent | undefined {
  // MapProxy takes caches()[0]: the source cache's first grid
  const first = managers.values().next().value;
  const own =
    cacheExtent(loaded, name) ??
    (first === undefined ? undefined : { bbox: first.grid.bbox, srs: first.grid.srs });
  if (own === undefined) return undefined;
  const sub = consumerGrid.srs.equals(own.srs)
    ? consumerGrid.bbox
    : consumerGrid.srs.transformBBox(own.srs, consumerGrid.bbox);
  if (!sub.every(Number.isFinite) || !bboxIntersects(own.bbox, sub)) return undefined;
  const bbox: BBox = [
    Math.max(own.bbox[0], sub[0]),
    Math.max(own.bbox[1], sub[1]),
    Math.min(own.bbox[2], sub[2]),
    Math.min(own.bbox[3], sub[3]),
  ];
  return { bbox, srs: own.srs };
}
