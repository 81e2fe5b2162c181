/**
 * Turns a validated plain config into the frozen `ProxyConfig`: MapProxy's defaults
 * (config/defaults.py), normalised bboxes, absolute paths and the default-grid warnings.
 */
import type { ConfigPath, ConfigWarning, SourcePosition } from './errors.js';
import { isBBoxString, isConnectionString, resolveCacheFile, resolvePath } from './paths.js';
import type { CoverageConfig, ProxyConfig, TimeSpecConfig } from './types.js';

type Plain = Record<string, unknown>;

/** MapProxy's defaults.py, as far as they are config values. */
export const DEFAULTS = {
  image: {
    resampling_method: 'bicubic',
    jpeg_quality: 90,
    stretch_factor: 1.15,
    max_shrink_factor: 4.0,
    paletted: true,
    transparent_color_tolerance: 5,
  },
  cache: {
    base_dir: './cache_data',
    lock_dir: './cache_data/tile_locks',
    max_tile_limit: 500,
    concurrent_tile_creators: 2,
    meta_size: [4, 4],
    meta_buffer: 80,
    bulk_meta_tiles: false,
    minimize_meta_requests: false,
    link_single_color_images: false,
    sqlite_timeout: 30,
  },
  grid: { tile_size: [256, 256] },
  tiles: { expires_hours: 72 },
  http: {
    ssl_no_cert_checks: false,
    client_timeout: 60,
    concurrent_requests: 0,
    method: 'AUTO',
    access_control_allow_origin: '*',
    hide_error_details: true,
    manage_cookies: false,
  },
  wms: {
    image_formats: ['image/png', 'image/jpeg', 'image/gif', 'image/GeoTIFF', 'image/tiff'],
    srs: ['EPSG:4326', 'EPSG:4258', 'CRS:84', 'EPSG:900913', 'EPSG:3857'],
    strict: false,
    max_output_pixels: 4000 * 4000,
  },
  cacheGrids: ['GLOBAL_MERCATOR'],
  tileSourceGrid: 'GLOBAL_MERCATOR',
  cacheFormat: 'image/png',
} as const;

/** Origins of MapProxy's built-in grids (all set, so they never warn). */
const DEFAULT_GRID_ORIGINS: Readonly<Record<string, string>> = {
  GLOBAL_GEODETIC: 'sw',
  GLOBAL_MERCATOR: 'sw',
  GLOBAL_WEBMERCATOR: 'nw',
};

function rec(value: unknown): Plain {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Plain) : {};
}

function withDefaults(defaults: Plain, value: unknown): Plain {
  const out: Plain = { ...defaults };
  for (const [key, v] of Object.entries(rec(value))) if (v !== null && v !== undefined) out[key] = v;
  return out;
}

/** `"a,b,c,d"` or a 4-number list as a bbox tuple; anything else unchanged. */
export function parseBBox(value: unknown): unknown {
  const parts = typeof value === 'string' ? value.split(',').map((p) => Number(p.trim())) : value;
  if (
    Array.isArray(parts) &&
    parts.length === 4 &&
    parts.every((n) => typeof n === 'number' && Number.isFinite(n))
  ) {
    return parts;
  }
  return value;
}

export interface NormalizeContext {
  readonly configDir: string;
  readonly at: (path: ConfigPath) => SourcePosition;
  readonly warnings: ConfigWarning[];
}

/** Resolves the file names of a coverage (recursively) and normalises its bbox. */
export function normalizeCoverage(value: unknown, configDir: string): CoverageConfig {
  const c = { ...rec(value) };
  if (c.bbox !== undefined) c.bbox = parseBBox(c.bbox);
  if (typeof c.datasource === 'string') {
    if (isBBoxString(c.datasource)) c.datasource = parseBBox(c.datasource);
    else if (!isConnectionString(c.datasource)) c.datasource = resolvePath(configDir, c.datasource);
  } else if (Array.isArray(c.datasource)) {
    c.datasource = parseBBox(c.datasource);
  }
  if (typeof c.ogr_datasource === 'string' && !isConnectionString(c.ogr_datasource)) {
    c.ogr_datasource = resolvePath(configDir, c.ogr_datasource);
  }
  for (const key of ['polygons', 'expire_tiles']) {
    const v = c[key];
    if (typeof v === 'string') c[key] = resolvePath(configDir, v);
  }
  for (const key of ['union', 'difference', 'intersection']) {
    const v = c[key];
    if (Array.isArray(v)) c[key] = v.map((part) => normalizeCoverage(part, configDir));
  }
  return c;
}

/** Resolves `mtime` of a time spec. */
export function normalizeTimeSpec(value: unknown, configDir: string): TimeSpecConfig {
  const t = { ...rec(value) };
  if (typeof t.mtime === 'string') t.mtime = resolvePath(configDir, t.mtime);
  return t;
}

/** Builds the `ProxyConfig` (not yet frozen) from a validated, reference-checked plain config. */
export function normalizeProxyConfig(conf: Plain, ctx: NormalizeContext): ProxyConfig {
  const { configDir } = ctx;
  const warn = (code: ConfigWarning['code'], path: ConfigPath, message: string): void => {
    ctx.warnings.push({ code, ...ctx.at(path), path, message });
  };

  // 1. globals: every default, paths absolute.
  const g = rec(conf.globals);
  const cache = withDefaults(DEFAULTS.cache, g.cache);
  cache.base_dir = resolvePath(configDir, String(cache.base_dir));
  cache.lock_dir = resolvePath(configDir, String(cache.lock_dir));
  if (typeof cache.tile_lock_dir === 'string')
    cache.tile_lock_dir = resolvePath(configDir, cache.tile_lock_dir);
  const http = withDefaults({ ...DEFAULTS.http, headers: {} }, g.http);
  if (typeof http.ssl_ca_certs === 'string') http.ssl_ca_certs = resolvePath(configDir, http.ssl_ca_certs);
  if (cache.tile_lock_redis !== undefined) {
    // TLS files of the Redis locks (mapproxy-ts's own), relative to the configuration
    const lockRedis = { ...rec(cache.tile_lock_redis) };
    for (const key of ['ssl_certfile', 'ssl_keyfile', 'ssl_ca_certs']) {
      const file = lockRedis[key];
      if (typeof file === 'string') lockRedis[key] = resolvePath(configDir, file);
    }
    cache.tile_lock_redis = lockRedis;
  }
  const image = withDefaults({ ...DEFAULTS.image, formats: {} }, g.image);
  if (typeof image.font_dir === 'string') image.font_dir = resolvePath(configDir, image.font_dir);
  const srs = withDefaults({ axis_order_ne: [], axis_order_en: [] }, g.srs);
  if (typeof srs.proj_data_dir === 'string') srs.proj_data_dir = resolvePath(configDir, srs.proj_data_dir);
  const mapserver = g.mapserver === undefined ? undefined : { ...rec(g.mapserver) };
  if (mapserver && typeof mapserver.working_dir === 'string') {
    mapserver.working_dir = resolvePath(configDir, mapserver.working_dir);
  }
  const globals: Plain = {
    ...g,
    image,
    http,
    cache,
    srs,
    grid: withDefaults(DEFAULTS.grid, g.grid),
    tiles: withDefaults(DEFAULTS.tiles, g.tiles),
  };
  if (mapserver) globals.mapserver = mapserver;

  // 2. grids: name defaults to the key, bbox normalised; warn where MapProxy warns about origin.
  const userGrids = rec(conf.grids);
  const grids: Plain = {};
  for (const [name, value] of Object.entries(userGrids)) {
    const grid: Plain = { name, ...rec(value) };
    if (grid.bbox !== undefined) grid.bbox = parseBBox(grid.bbox);
    grids[name] = grid;
    if (effectiveOrigin(name, userGrids) === undefined) {
      warn(
        'CONFIG_DEFAULT_ORIGIN',
        ['grids', name],
        `grid ${name} does not have an origin. default origin will change from sw (south/west) to nw (north-west) with MapProxy 2.0`,
      );
    }
  }

  // 3. sources: tile sources default to GLOBAL_MERCATOR; coverage files absolute.
  const sources: Plain = {};
  for (const [name, value] of Object.entries(rec(conf.sources))) {
    const source = { ...rec(value) };
    if (source.type === 'tile' && source.grid === undefined) {
      source.grid = DEFAULTS.tileSourceGrid;
      warn(
        'CONFIG_DEFAULT_GRID',
        ['sources', name],
        `tile source ${name} does not have a grid configured and defaults to GLOBAL_MERCATOR. default will change with MapProxy 2.0`,
      );
    }
    if (source.coverage !== undefined) source.coverage = normalizeCoverage(source.coverage, configDir);
    if (source.type === 'mapnik' && typeof source.mapfile === 'string') {
      source.mapfile = resolvePath(configDir, source.mapfile);
    }
    if (source.type === 'mapserver') {
      const req = { ...rec(source.req) };
      if (typeof req.map === 'string') req.map = resolvePath(configDir, req.map);
      source.req = req;
    }
    sources[name] = source;
  }

  // 4. caches: grids/format/backend defaults, values that fall back to globals.cache, paths.
  const caches: Plain = {};
  for (const [name, value] of Object.entries(rec(conf.caches))) {
    const c = { ...rec(value) };
    if (c.grids === undefined) {
      c.grids = [...DEFAULTS.cacheGrids];
      warn(
        'CONFIG_DEFAULT_GRID',
        ['caches', name],
        `cache ${name} does not have any grids. default will change from [GLOBAL_MERCATOR] to [GLOBAL_WEBMERCATOR] with MapProxy 2.0`,
      );
    }
    c.format ??= DEFAULTS.cacheFormat;
    c.disable_storage ??= false;
    for (const key of [
      'meta_size',
      'meta_buffer',
      'bulk_meta_tiles',
      'minimize_meta_requests',
      'concurrent_tile_creators',
      'link_single_color_images',
    ]) {
      c[key] ??= cache[key];
    }
    const backend: Plain = { type: 'file', ...rec(c.cache) };
    if (typeof backend.directory === 'string' && typeof c.cache_dir === 'string') {
      warn(
        'CONFIG_IGNORED_KEY',
        ['caches', name, 'cache_dir'],
        `found cache.directory and cache_dir option for ${name}, ignoring cache_dir`,
      );
    }
    c.cache_dir = typeof c.cache_dir === 'string' ? resolvePath(configDir, c.cache_dir) : cache.base_dir;
    if (backend.type === 'file') backend.directory_layout ??= 'tc';
    if (typeof backend.directory === 'string' && !['s3', 'azureblob'].includes(String(backend.type))) {
      backend.directory = resolvePath(configDir, backend.directory);
    }
    if (typeof backend.filename === 'string') {
      const dir = typeof backend.directory === 'string' ? backend.directory : String(c.cache_dir);
      backend.filename = resolveCacheFile(configDir, dir, backend.filename);
    }
    if (typeof backend.tile_lock_dir === 'string')
      backend.tile_lock_dir = resolvePath(configDir, backend.tile_lock_dir);
    // redis TLS files (mapproxy-ts's own), relative to the configuration like http.ssl_ca_certs
    for (const key of ['ssl_certfile', 'ssl_keyfile', 'ssl_ca_certs']) {
      const file = backend[key];
      if (backend.type === 'redis' && typeof file === 'string') backend[key] = resolvePath(configDir, file);
    }
    if (backend.coverage !== undefined) backend.coverage = normalizeCoverage(backend.coverage, configDir);
    c.cache = backend;
    if (c.refresh_before !== undefined) c.refresh_before = normalizeTimeSpec(c.refresh_before, configDir);
    caches[name] = c;
  }

  // 5. services: null enables a service with defaults; WMS defaults from defaults.py.
  const services: Plain = {};
  for (const [name, value] of Object.entries(rec(conf.services))) {
    services[name] = name === 'wms' ? withDefaults(DEFAULTS.wms, value) : { ...rec(value) };
  }
  const wms = services.wms as Plain | undefined;
  if (wms?.featureinfo_xslt !== undefined) {
    const xslt: Plain = {};
    for (const [k, v] of Object.entries(rec(wms.featureinfo_xslt))) {
      xslt[k] = typeof v === 'string' ? resolvePath(configDir, v) : v;
    }
    wms.featureinfo_xslt = xslt;
  }

  return {
    ...conf,
    globals,
    grids,
    sources,
    caches,
    services,
    layers: layerList(conf.layers),
  } as unknown as ProxyConfig;
}

/** Follows `base` through the user grids to an origin; the built-in grids all have one. */
function effectiveOrigin(name: string, grids: Plain): string | undefined {
  const seen = new Set<string>();
  let current: string | undefined = name;
  while (current !== undefined && !seen.has(current)) {
    seen.add(current);
    const grid = grids[current];
    if (grid === undefined) return DEFAULT_GRID_ORIGINS[current];
    const g = rec(grid);
    if (typeof g.origin === 'string') return g.origin;
    current = typeof g.base === 'string' ? g.base : undefined;
  }
  return undefined;
}

/** The old `layers: {name: {...}}` form becomes the list form with `name` set. */
function layerList(layers: unknown): unknown[] {
  if (Array.isArray(layers)) return layers;
  return Object.entries(rec(layers)).map(([name, layer]) => ({ name, ...rec(layer) }));
}
