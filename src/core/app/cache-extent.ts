/**
 * The extent a cache's layers advertise and render within: `caches.<name>.cache.coverage` when set
 * (MapProxy >= 1.16 `CacheConfiguration.caches()`: "prefer the cache coverage's extent"), else
 * MapProxy 1.15's `merge_layer_extents` of its sources' coverages; undefined means the grid's.
 */
import type { LoadedConfig } from '../config/index.js';
import type { TileGrid } from '../grid/index.js';
import type { LayerExtent } from '../layer/index.js';
import { getSrs } from '../srs/index.js';
import { bboxIntersects, type BBox } from '../util/index.js';
import { configCoverage } from './coverage-from-config.js';

/** Where a cache's extent is asked for: one of its grids, and every grid by name. */
export interface ExtentGrids {
  readonly grid: TileGrid;
  readonly grids: ReadonlyMap<string, TileGrid>;
}

/**
 * The cache's extent on `at.grid` (MapProxy's per-grid `extent`): its `cache.coverage`, else its
 * sources' merged (see `sourcesExtent`); undefined means the grid's. Without `at`, a cache fed by
 * another cache has no extent of its own (the grid's).
 */
export function cacheExtent(loaded: LoadedConfig, name: string, at?: ExtentGrids): LayerExtent | undefined {
  return cacheCoverageExtent(loaded, name) ?? sourcesExtent(loaded, loaded.config.caches[name]?.sources, at);
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
 * MapProxy 1.15 `merge_layer_extents(sources)` for a cache on `at.grid`: the union of its sources'
 * extents, where a source without one (a WMS source without coverage) does not count. A tile
 * source without coverage counts with its grid's bbox, a cache source with its extent cut to
 * `at.grid` (`CacheConfiguration.source()`). Undefined (the grid's extent) when none counts, or
 * when a source is a cache and `at` is not given.
 */
function sourcesExtent(loaded: LoadedConfig, sources: unknown, at?: ExtentGrids): LayerExtent | undefined {
  const refs = Array.isArray(sources) ? (sources as readonly string[]) : [];
  const extents: LayerExtent[] = [];
  for (const ref of refs) {
    const extent = sourceExtent(loaded, ref, at);
    if (extent === null) return undefined;
    if (extent !== undefined) extents.push(extent);
  }
  if (extents.length === 0) return undefined;
  return extents.length === 1 ? extents[0] : unionExtent(extents);
}

/** One source's extent: undefined when it has none, null when it cannot be known without `at`. */
function sourceExtent(loaded: LoadedConfig, ref: string, at?: ExtentGrids): LayerExtent | null | undefined {
  const name = ref.split(':')[0] ?? ref;
  const { caches, sources } = loaded.config;
  const source = sources[name];
  // a name that is both a source and a cache means the source (MapProxy looks up sources first)
  if (source === undefined && caches[ref] !== undefined) {
    if (at === undefined) return null;
    // a source cache with no extent on the grid renders within its own grid's (CacheMapLayer)
    const first = firstGrid(loaded, ref, at.grids);
    const own = first === undefined ? undefined : { bbox: first.bbox, srs: first.srs };
    return cacheSourceExtent(loaded, ref, at.grid, at.grids) ?? own;
  }
  const coverage = sourceCoverageExtent(loaded, ref);
  if (coverage !== null) return coverage;
  // MapProxy TiledSource: `coverage.extent if coverage else map_extent_from_grid(grid)`
  if (source?.type === 'tile' && at !== undefined) {
    const grid = at.grids.get(source.grid);
    if (grid !== undefined) return { bbox: grid.bbox, srs: grid.srs };
  }
  return undefined;
}

/** Cache `name`'s first grid (MapProxy `caches()[0]`). */
function firstGrid(loaded: LoadedConfig, name: string, grids: ReadonlyMap<string, TileGrid>): TileGrid | undefined {
  const first = loaded.config.caches[name]?.grids[0];
  return first === undefined ? undefined : grids.get(first);
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
 * `CacheConfiguration.source()`): the source cache's extent on its first grid (its coverage or its
 * sources', else that grid's bbox) intersected with the consumer grid's bbox, in the source
 * extent's SRS; undefined when they do not meet (MapProxy then falls back to the source grid's
 * extent). A source cache with several grids is its map layer, whose extent is its first grid's,
 * not cut.
 */
export function cacheSourceExtent(
  loaded: LoadedConfig,
  name: string,
  consumerGrid: TileGrid,
  grids: ReadonlyMap<string, TileGrid>,
): LayerExtent | undefined {
  const first = firstGrid(loaded, name, grids);
  if (first === undefined) return undefined;
  const own = cacheExtent(loaded, name, { grid: first, grids }) ?? { bbox: first.bbox, srs: first.srs };
  if ((loaded.config.caches[name]?.grids.length ?? 0) > 1) return own;
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
