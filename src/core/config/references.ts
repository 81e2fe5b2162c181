/**
 * Reference stage for mapproxy.yaml: every grid, source and cache a config names must exist
 * (MapProxy's config/validator.py, plus the checks its loader only makes while building).
 */
import { didYouMean } from './did-you-mean.js';
import { ConfigError, type ConfigPath, type ConfigWarning, type SourcePosition } from './errors.js';

/** The grids every configuration has (MapProxy's defaults.py `grids`). */
export const DEFAULT_GRID_NAMES: readonly string[] = [
  'GLOBAL_GEODETIC',
  'GLOBAL_MERCATOR',
  'GLOBAL_WEBMERCATOR',
];

/** Source types that accept tagged names `source:layer1,layer2`. */
const TAGGED_SOURCE_TYPES: ReadonlySet<string> = new Set(['wms', 'mapserver', 'mapnik']);

type Plain = Record<string, unknown>;

export interface ReferenceResult {
  readonly errors: readonly ConfigError[];
  readonly warnings: readonly ConfigWarning[];
}

/** Splits a tagged source name; `layers` is undefined for an untagged name. */
export function splitTaggedSource(name: string): {
  readonly source: string;
  readonly layers?: readonly string[];
} {
  const colon = name.indexOf(':');
  if (colon < 0) return { source: name };
  return {
    source: name.slice(0, colon),
    layers: name
      .slice(colon + 1)
      .split(',')
      .map((l) => l.trim()),
  };
}

function asRecord(value: unknown): Plain {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Plain) : {};
}

function asList(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function knownList(names: Iterable<string>): string {
  const sorted = [...names].sort();
  return sorted.length === 0 ? 'none' : sorted.join(', ');
}

/** Checks every reference of a schema-valid config. `at` locates a path in the YAML. */
export function checkReferences(conf: Plain, at: (path: ConfigPath) => SourcePosition): ReferenceResult {
  const errors: ConfigError[] = [];
  const warnings: ConfigWarning[] = [];
  const grids = asRecord(conf.grids);
  const caches = asRecord(conf.caches);
  const sources = asRecord(conf.sources);
  const knownGrids = new Set([...DEFAULT_GRID_NAMES, ...Object.keys(grids)]);

  const error = (code: ConfigError['code'], path: ConfigPath, message: string): void => {
    errors.push(new ConfigError(code, at(path), path, message));
  };
  const warn = (code: ConfigWarning['code'], path: ConfigPath, message: string): void => {
    warnings.push({ code, ...at(path), path, message });
  };
  const checkGrid = (name: unknown, path: ConfigPath): void => {
    if (typeof name === 'string' && !knownGrids.has(name)) {
      error(
        'CONFIG_UNKNOWN_REF',
        path,
        `unknown grid "${name}"${didYouMean(name, knownGrids)} (known: ${knownList(knownGrids)})`,
      );
    }
  };

  // 1. grids: `base` and `align_resolutions_with` name other grids; `base` chains must end.
  for (const [name, grid] of Object.entries(grids)) {
    const g = asRecord(grid);
    checkGrid(g.base, ['grids', name, 'base']);
    checkGrid(g.align_resolutions_with, ['grids', name, 'align_resolutions_with']);
    const seen = [name];
    let next = g.base;
    while (typeof next === 'string' && next in grids) {
      if (seen.includes(next)) {
        error(
          'CONFIG_REF_CYCLE',
          ['grids', name, 'base'],
          `grid base cycle: ${[...seen, next].join(' -> ')}`,
        );
        break;
      }
      seen.push(next);
      next = asRecord(grids[next]).base;
    }
  }

  // 2. sources: a tile source's `grid`.
  for (const [name, source] of Object.entries(sources)) {
    const s = asRecord(source);
    if (s.type === 'tile') checkGrid(s.grid, ['sources', name, 'grid']);
  }

  // 3. a source/cache name used by a cache or a layer.
  const checkSourceRef = (
    ref: unknown,
    path: ConfigPath,
    owner: 'cache' | 'layer',
    layerName?: unknown,
  ): void => {
    if (typeof ref !== 'string') return;
    const { source, layers } = splitTaggedSource(ref);
    // MapProxy: a layer looks a name up in caches first, a cache looks it up in sources first.
    if (ref in caches && (owner === 'layer' || !(source in sources))) return;
    const conf = sources[source];
    if (conf === undefined) {
      const candidates = [...Object.keys(sources), ...Object.keys(caches)];
      error(
        'CONFIG_UNKNOWN_REF',
        path,
        `unknown source or cache "${source}"${didYouMean(source, candidates)} (known sources: ${knownList(Object.keys(sources))}; caches: ${knownList(Object.keys(caches))})`,
      );
      return;
    }
    const s = asRecord(conf);
    const type = typeof s.type === 'string' ? s.type : '';
    if (owner === 'layer' && type === 'tile') {
      // MapProxy's LayerConfiguration: a tile source answers whole tiles only (supports_meta_tiles
      // False), so a layer reaches it through a cache; drawn directly, only a map that is exactly
      // one of its tiles could be drawn
      const layer = typeof layerName === 'string' ? layerName : 'None';
      error(
        'CONFIG_INVALID_VALUE',
        path,
        `source "${source}" of layer "${layer}" does not support un-tiled access`,
      );
      return;
    }
    if (layers !== undefined && !TAGGED_SOURCE_TYPES.has(type)) {
      error(
        'CONFIG_INVALID_VALUE',
        path,
        `tagged source "${ref}" in ${owner}: tagged sources are only supported for wms, mapserver and mapnik sources, "${source}" is ${type}`,
      );
      return;
    }
    const supported = type === 'mapnik' ? s.layers : asRecord(s.req).layers;
    const supportedSet = layerSet(supported);
    if (layers !== undefined && supportedSet.size > 0) {
      const missing = layers.filter((l) => !supportedSet.has(l));
      if (missing.length > 0) {
        error(
          'CONFIG_INVALID_VALUE',
          path,
          `layers ${missing.map((l) => `"${l}"`).join(', ')} not supported by source "${source}" (its layers: ${[...supportedSet].join(', ')})`,
        );
      }
    }
    if (type === 'wms' && layers === undefined && supportedSet.size === 0) {
      warn(
        'CONFIG_WMS_NO_LAYERS',
        path,
        `source "${source}" has no req.layers and is used without tagged layers`,
      );
    }
  };

  // 4. caches: grids, sources (list or band mapping), and no cache may end up as its own source.
  for (const [name, cache] of Object.entries(caches)) {
    const c = asRecord(cache);
    asList(c.grids).forEach((grid, i) => {
      checkGrid(grid, ['caches', name, 'grids', i]);
    });
    for (const { ref, path } of cacheSourceRefs(name, c.sources)) checkSourceRef(ref, path, 'cache');
    const bands = c.sources;
    if (bands !== null && typeof bands === 'object' && !Array.isArray(bands)) {
      const keys = Object.keys(bands);
      if (keys.includes('l') && keys.length > 1) {
        error(
          'CONFIG_INVALID_VALUE',
          ['caches', name, 'sources'],
          `cannot combine 'l' band with other bands`,
        );
      }
    }
  }
  for (const cycle of cacheCycles(caches, sources)) {
    error(
      'CONFIG_REF_CYCLE',
      ['caches', cycle[0] ?? '', 'sources'],
      `cache source cycle: ${cycle.join(' -> ')}`,
    );
  }

  // 5. layers: sources, tile_sources; sections MapProxy warns about.
  const layers = conf.layers;
  if (layers === undefined || layers === null) warn('CONFIG_MISSING_SECTION', [], 'missing layers section');
  if (conf.services === undefined || conf.services === null) {
    warn('CONFIG_MISSING_SECTION', [], 'missing services section');
  }
  const visitLayer = (layer: unknown, path: ConfigPath): void => {
    const l = asRecord(layer);
    const layerSources = asList(l.sources);
    const tileSources = asList(l.tile_sources);
    const children = asList(l.layers);
    if (layerSources.length === 0 && tileSources.length === 0 && children.length === 0) {
      const label = typeof l.name === 'string' ? `"${l.name}"` : 'without name';
      warn('CONFIG_LAYER_NO_SOURCES', path, `layer ${label} has no sources, tile_sources or layers`);
    }
    layerSources.forEach((ref, i) => {
      checkSourceRef(ref, [...path, 'sources', i], 'layer', l.name);
    });
    tileSources.forEach((ref, i) => {
      if (typeof ref === 'string' && !(ref in caches)) {
        error(
          'CONFIG_UNKNOWN_REF',
          [...path, 'tile_sources', i],
          `unknown cache "${ref}"${didYouMean(ref, Object.keys(caches))} (tile_sources must be caches; known: ${knownList(Object.keys(caches))})`,
        );
      }
    });
    children.forEach((child, i) => {
      visitLayer(child, [...path, 'layers', i]);
    });
  };
  if (Array.isArray(layers)) {
    layers.forEach((layer, i) => {
      visitLayer(layer, ['layers', i]);
    });
  } else {
    for (const [name, layer] of Object.entries(asRecord(layers))) visitLayer(layer, ['layers', name]);
  }
  return { errors, warnings };
}

/** The source names of a cache (list form or band form) with their config paths. */
function cacheSourceRefs(cacheName: string, sources: unknown): { ref: unknown; path: ConfigPath }[] {
  if (Array.isArray(sources)) {
    return (sources as readonly unknown[]).map((ref, i) => ({
      ref,
      path: ['caches', cacheName, 'sources', i],
    }));
  }
  const refs: { ref: unknown; path: ConfigPath }[] = [];
  for (const [band, list] of Object.entries(asRecord(sources))) {
    asList(list).forEach((entry, i) => {
      refs.push({ ref: asRecord(entry).source, path: ['caches', cacheName, 'sources', band, i, 'source'] });
    });
  }
  return refs;
}

/** `req.layers` as a set: a comma-separated string or a list of names. */
function layerSet(layers: unknown): ReadonlySet<string> {
  const names = typeof layers === 'string' ? layers.split(',') : asList(layers).map(String);
  return new Set(names.map((n) => n.trim()).filter((n) => n !== ''));
}

/** Cycles among caches that use caches as sources, each reported once. */
function cacheCycles(caches: Plain, sources: Plain): string[][] {
  const edges = new Map<string, string[]>();
  for (const [name, cache] of Object.entries(caches)) {
    const targets = cacheSourceRefs(name, asRecord(cache).sources)
      .map(({ ref }) => ref)
      .filter((ref): ref is string => typeof ref === 'string' && ref in caches && !(ref in sources));
    edges.set(name, targets);
  }
  const cycles: string[][] = [];
  const done = new Set<string>();
  const walk = (node: string, stack: string[]): void => {
    if (stack.includes(node)) {
      cycles.push([...stack.slice(stack.indexOf(node)), node]);
      return;
    }
    if (done.has(node)) return;
    for (const next of edges.get(node) ?? []) walk(next, [...stack, node]);
    done.add(node);
  };
  for (const name of edges.keys()) walk(name, []);
  return cycles;
}
