/**
 * Composition of `sources.<name>`: YAML keys become source options (wms, tile, debug). Source
 * types this toolkit does not have yet are a ConfigError at the source's `type`.
 */
import {
  configErrorAt,
  type CoverageConfig,
  type LoadedConfig,
  type SourceConfig,
  type WmsSourceConfig,
} from '../config/index.js';
import type { Coverage, TileGrid } from '../grid/index.js';
import {
  clipSourceToCoverage,
  createArcgisSource,
  createDebugSource,
  createTileSource,
  createWmsSource,
  type MapSource,
  type OnErrorOptions,
  type WmsSourceOptions,
} from '../source/index.js';
import type { WmsParamValue } from '../client/index.js';
import { parseColor } from './colors.js';
import { buildEach } from './build-each.js';
import { configCoverage } from './coverage-from-config.js';
import type { ArcgisSourceConfig } from './arcgis-source-config.js';
import { mapServerSetup } from './mapserver-source.js';
import { SUPPORTED_SOURCE_TYPES } from './unsupported-options.js';
import { sourceImageOptions } from './image-options.js';
import { sourceHttp } from './source-http.js';

type SourceCoverage = CoverageConfig | undefined;
type OnErrorSection = NonNullable<Extract<SourceConfig, { type: 'wms' }>['on_error']>;

/**
 * Builds every source of `loaded`, keyed by name. `grids` resolves tile sources' `grid`.
 * Throws `ConfigErrors` at `sources.<name>...` for every source that cannot be built.
 */
export function buildSources(
  loaded: LoadedConfig,
  grids: ReadonlyMap<string, TileGrid>,
): Map<string, MapSource> {
  const sources = new Map<string, MapSource>();
  buildEach(Object.entries(loaded.config.sources), ([name, source]) => {
    sources.set(name, buildSource(loaded, name, source, grids));
  });
  return sources;
}

/**
 * A WMS or mapserver source restricted to some of its layers, for tagged names such as
 * `osm_wms:roads,rails` (MapProxy builds a separate source for each tagged use). Throws for
 * other sources.
 */
export function buildTaggedSource(
  loaded: LoadedConfig,
  name: string,
  layers: readonly string[],
  grids: ReadonlyMap<string, TileGrid>,
): MapSource {
  const source = loaded.config.sources[name];
  if (source?.type !== 'wms' && source?.type !== 'mapserver') {
    throw configErrorAt(
      loaded,
      ['sources', name],
      `tagged source names (${name}:...) need a wms or mapserver source`,
      'CONFIG_INVALID_VALUE',
    );
  }
  const req = (source as { readonly req: Readonly<Record<string, unknown>> }).req;
  return buildSource(
    loaded,
    `${name}:${layers.join(',')}`,
    { ...source, req: { ...req, layers: layers.join(',') } } as SourceConfig,
    grids,
  );
}

function buildSource(
  loaded: LoadedConfig,
  name: string,
  source: SourceConfig,
  grids: ReadonlyMap<string, TileGrid>,
): MapSource {
  const built = buildPlainSource(loaded, name, source, grids);
  // MapProxy applies `clip` when it merges a source's image (tile creation, direct WMS layers)
  if (source.type === 'debug' || source.coverage?.clip !== true) return built;
  const coverage = configCoverage(loaded, coveragePath(name), source.coverage);
  return clipSourceToCoverage(built, coverage);
}

/** `sources.<name>.coverage`; a tagged name (`osm:roads`) points at its source's section. */
function coveragePath(name: string): string[] {
  return ['sources', name.split(':')[0] ?? name, 'coverage'];
}

function buildPlainSource(
  loaded: LoadedConfig,
  name: string,
  source: SourceConfig,
  grids: ReadonlyMap<string, TileGrid>,
): MapSource {
  const coverage = (section: SourceCoverage): Coverage | undefined =>
    section === undefined ? undefined : configCoverage(loaded, coveragePath(name), section);
  switch (source.type) {
    case 'debug':
      return createDebugSource();
    case 'arcgis':
      return arcgisSource(loaded, name, source, coverage(source.coverage));
    case 'wms':
      return wmsSource(loaded, name, source, coverage);
    case 'mapserver': {
      // MapProxy: a WMS source whose requests run the mapserv binary as CGI
      const setup = mapServerSetup(loaded, name, source);
      return wmsSource(loaded, name, setup.source, coverage, setup.transport);
    }
    case 'tile': {
      const grid = grids.get(source.grid);
      if (grid === undefined)
        throw configErrorAt(
          loaded,
          ['sources', name, 'grid'],
          `unknown grid "${source.grid}"`,
          'CONFIG_UNKNOWN_REF',
        );
      // MapProxy's loader builds its image options (and refuses invalid encoding options)
      sourceImageOptions(loaded, name, source.image, undefined);
      return createTileSource({
        name,
        url: source.url,
        grid,
        origin: source.origin,
        transparent: source.transparent,
        ...upstreamCommon(loaded, name, source, coverage(source.coverage)),
      });
    }
    case 'mapnik':
    case 'ogcapitiles':
    case 'ogcapimaps':
      throw configErrorAt(
        loaded,
        ['sources', name, 'type'],
        `source type "${source.type}" is not supported by mapproxy-ts yet (supported: ${SUPPORTED_SOURCE_TYPES.join(', ')})`,
        'CONFIG_UNKNOWN_TYPE',
      );
  }
}

/** A `wms` source (or a `mapserver` source as one, with its CGI `transport`). */
function wmsSource(
  loaded: LoadedConfig,
  name: string,
  source: WmsSourceConfig,
  coverage: (section: SourceCoverage) => Coverage | undefined,
  transport?: WmsSourceOptions['transport'],
): MapSource {
  const { globals } = loaded.config;
  return createWmsSource({
    name,
    req: source.req as Readonly<Record<string, WmsParamValue>> & { readonly url: string },
    version: source.wms_opts?.version as '1.0.0' | '1.1.0' | '1.1.1' | '1.3.0' | undefined,
    supportedSrs: source.supported_srs,
    srs: { preferredSrcProj: globals.srs.preferred_src_proj },
    supportedFormats: source.supported_formats,
    imageFormat: source.image?.format,
    namedFormats: namedFormats(globals.image.formats),
    forwardReqParams: source.forward_req_params,
    // MapProxy: the source's `concurrent_requests`, else `globals.http.concurrent_requests`
    concurrentRequests: source.concurrent_requests ?? globals.http.concurrent_requests,
    concurrentRequestsLockDir: globals.cache.lock_dir,
    // MapProxy's image_opts: image.transparent, else req.transparent (any case of `true`)
    transparent: source.image?.transparent ?? String(source.req.transparent).toLowerCase() === 'true',
    ...upstreamCommon(loaded, name, source, coverage(source.coverage)),
    baseDir: loaded.configDir,
    ...imageKeying(loaded, name, source.image, globals.image.transparent_color_tolerance),
    resampling: sourceImageOptions(loaded, name.split(':')[0] ?? name, source.image, source.req.format)
      .resampling,
    transport,
  });
}

/** `globals.image.formats`: each name with its `format` key, null where it has none. */
function namedFormats(
  formats: LoadedConfig['config']['globals']['image']['formats'],
): Record<string, string | null> {
  return Object.fromEntries(
    Object.entries(formats).map(([name, entry]) => [
      name,
      typeof entry.format === 'string' ? entry.format : null,
    ]),
  );
}

/**
 * A WMS source's `image.transparent_color` (a 3- or 4-channel colour, compared channel by channel
 * as MapProxy's `parse_color` tuple is), its tolerance (else `globals.image`'s) and `opacity`.
 */
function imageKeying(
  loaded: LoadedConfig,
  name: string,
  image: Extract<SourceConfig, { type: 'wms' }>['image'],
  globalTolerance: number,
): { transparentColor?: readonly number[]; transparentColorTolerance: number; opacity?: number } {
  const value = image?.transparent_color;
  const tolerance = image?.transparent_color_tolerance ?? globalTolerance;
  const opacity = image?.opacity === undefined ? {} : { opacity: image.opacity };
  if (value === undefined) return { transparentColorTolerance: tolerance, ...opacity };
  const color = parseColor(value);
  if (color === null || value === 'transparent') {
    throw configErrorAt(
      loaded,
      ['sources', name.split(':')[0] ?? name, 'image', 'transparent_color'],
      `invalid color ${JSON.stringify(value)} (expected '#rrggbb' or [r, g, b])`,
    );
  }
  const hasAlpha = typeof value === 'string' ? /^#?[0-9a-f]{8}$/i.test(value.trim()) : value.length === 4;
  return {
    transparentColor: color.slice(0, hasAlpha ? 4 : 3),
    transparentColorTolerance: tolerance,
    ...opacity,
  };
}

/** An `arcgis` source: its `req` (url, layers, transparent, ...) as a WMS source's, sent as REST export. */
function arcgisSource(
  loaded: LoadedConfig,
  name: string,
  source: SourceConfig,
  coverage: Coverage | undefined,
): MapSource {
  const { globals } = loaded.config;
  const conf = source as unknown as ArcgisSourceConfig;
  return createArcgisSource({
    name,
    req: conf.req,
    supportedSrs: conf.supported_srs,
    srs: { preferredSrcProj: globals.srs.preferred_src_proj },
    concurrentRequests: conf.concurrent_requests ?? globals.http.concurrent_requests,
    concurrentRequestsLockDir: globals.cache.lock_dir,
    // MapProxy's SourceConfiguration.image_opts: a top-level `transparent`, else image.transparent;
    // req.transparent goes to the server only (an ArcGIS source with just that is opaque)
    transparent: conf.transparent ?? conf.image?.transparent ?? false,
    // image.opacity too (a fade, and not opaque below 0.99); no transparent_color (not an ArcGISSource option)
    ...(typeof conf.image?.opacity === 'number' ? { opacity: conf.image.opacity } : {}),
    resampling: sourceImageOptions(loaded, name.split(':')[0] ?? name, conf.image, conf.req.format)
      .resampling,
    ...upstreamCommon(loaded, name, conf, coverage),
  });
}

/** The keys of a source section that reach its upstream the same way whatever its type. */
type UpstreamSection = Pick<
  ArcgisSourceConfig,
  'seed_only' | 'min_res' | 'max_res' | 'min_scale' | 'max_scale' | 'http' | 'on_error'
>;

/**
 * Coverage, seed_only, resolution range, HTTP options (with the cookie jar of the untagged
 * source name) and on_error: shared by the wms, tile and arcgis sources.
 */
function upstreamCommon(
  loaded: LoadedConfig,
  name: string,
  source: UpstreamSection,
  coverage: Coverage | undefined,
) {
  return {
    coverage,
    seedOnly: source.seed_only,
    minRes: source.min_res,
    maxRes: source.max_res,
    minScale: source.min_scale,
    maxScale: source.max_scale,
    http: sourceHttp(loaded, name, source.http),
    onError: onError(loaded, name, source.on_error),
  };
}

function onError(
  loaded: LoadedConfig,
  name: string,
  section: OnErrorSection | undefined,
): OnErrorOptions | undefined {
  if (section === undefined) return undefined;
  const out: Record<string, OnErrorOptions[number]> = {};
  for (const [status, entry] of Object.entries(section)) {
    const color = parseColor(entry.response);
    if (color === null) {
      throw configErrorAt(
        loaded,
        ['sources', name, 'on_error', status, 'response'],
        `invalid color ${JSON.stringify(entry.response)}`,
      );
    }
    out[status] = { color, cache: entry.cache, authorizeStale: entry.authorize_stale };
  }
  return out;
}
