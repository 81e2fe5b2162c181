/**
 * The feature-info side of WMS sources (`wms_opts.featureinfo`): the client options a source's
 * info and legend requests share, and the info sources of a tile layer (MapProxy `tile_layers`).
 */
import type { LayerConfig, LoadedConfig, WmsSourceConfig } from '../config/index.js';
import { isAbsolute, resolve } from 'node:path';
import type { Coverage } from '../grid/index.js';
import { createWmsInfoSource, createXsltInfoSource, type FeatureInfoSource } from '../source/index.js';
import { arcgisInfoSource } from './arcgis-info.js';
import { configCoverage } from './coverage-from-config.js';
import { mapServerSetup } from './mapserver-source.js';
import { infoHttp, sourceHttp } from './source-http.js';

/**
 * Client options of WMS or mapserver source `ref` (`name` or `name:layers`) with its `wms_opts`;
 * null for other types.
 */
export function wmsSourceOptions(loaded: LoadedConfig, ref: string) {
  const [name = ref, tagged] = ref.split(/:(.*)/s);
  const config = loaded.config.sources[name];
  if (config === undefined || (config.type !== 'wms' && config.type !== 'mapserver')) return null;
  // MapProxy: a mapserver source's info and legend requests run its binary as CGI too
  const mapserver = config.type === 'mapserver' ? mapServerSetup(loaded, name, config) : null;
  const wms: WmsSourceConfig = mapserver?.source ?? (config as WmsSourceConfig);
  const opts = wms.wms_opts ?? {};
  const req = tagged === undefined ? wms.req : { ...wms.req, layers: tagged };
  const common = {
    name: ref,
    req: req as Readonly<Record<string, string | number | boolean>> & { readonly url: string },
    version: opts.version as '1.0.0' | '1.1.0' | '1.1.1' | '1.3.0' | undefined,
    supportedSrs: wms.supported_srs,
    srs: { preferredSrcProj: loaded.config.globals.srs.preferred_src_proj },
    featureInfoFormat: typeof opts.featureinfo_format === 'string' ? opts.featureinfo_format : undefined,
    // MapProxy's one HTTP client per source: its TLS and error-detail options hold here too
    ...infoHttp(sourceHttp(loaded, name, wms.http)),
    transport: mapserver?.transport,
  };
  return { common, opts };
}

/** The sources of cache `name`, through caches used as sources (MapProxy `cache_source_names`). */
function cacheSourceNames(loaded: LoadedConfig, name: string): string[] {
  const { caches, sources } = loaded.config;
  const refs = caches[name]?.sources;
  return (Array.isArray(refs) ? (refs as readonly string[]) : []).flatMap((ref) =>
    caches[ref] !== undefined && sources[ref] === undefined ? cacheSourceNames(loaded, ref) : [ref],
  );
}

/**
 * The info sources of a tile layer over cache `cacheName` (MapProxy `tile_layers`): those of the
 * cache's sources, then of the layer's feature-info-only sources (`wms_opts.map: false`).
 * MapProxy skips tagged sources (`name:layers`) here.
 */
export function tileInfoSources(
  loaded: LoadedConfig,
  layer: LayerConfig,
  cacheName: string,
): FeatureInfoSource[] {
  const infoOnly =
    layer.tile_sources !== undefined
      ? []
      : (layer.sources ?? []).filter((ref) => wmsSourceOptions(loaded, ref)?.opts.map === false);
  return [...cacheSourceNames(loaded, cacheName), ...infoOnly].flatMap((ref) => {
    if (loaded.config.sources[ref] === undefined) return [];
    const arcgis = arcgisInfoSource(loaded, ref);
    if (arcgis !== null) return [arcgis];
    const options = wmsSourceOptions(loaded, ref);
    return options?.opts.featureinfo === true ? [wmsInfoSource(loaded, options)] : [];
  });
}

/**
 * The info source of a WMS source (its `wms_opts` as `wmsSourceOptions` returns them), behind its
 * `featureinfo_xslt` when it has one (MapProxy `fi_xslt_transformer`: the path relative to the
 * configuration's directory, the output type from `featureinfo_out_format`, else `featureinfo_format`).
 */
export function wmsInfoSource(
  loaded: LoadedConfig,
  options: NonNullable<ReturnType<typeof wmsSourceOptions>>,
): FeatureInfoSource {
  const { common, opts } = options;
  const source = createWmsInfoSource(common);
  const xslt = opts.featureinfo_xslt;
  const format = (key: string): string | undefined => {
    const value = opts[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const transformed =
    typeof xslt !== 'string' || xslt === ''
      ? source
      : createXsltInfoSource(source, {
          name: common.name,
          stylesheet: isAbsolute(xslt) ? xslt : resolve(loaded.configDir, xslt),
          inputFormat: format('featureinfo_format'),
          outputFormat: format('featureinfo_out_format') ?? format('featureinfo_format'),
          timeoutMs: common.timeoutMs,
        });
  const name = common.name.split(':')[0] ?? common.name;
  const config = loaded.config.sources[name];
  const section = config !== undefined && 'coverage' in config ? config.coverage : undefined;
  return section === undefined
    ? transformed
    : withinCoverage(transformed, configCoverage(loaded, ['sources', name, 'coverage'], section));
}

/**
 * MapProxy `WMSInfoSource.get_info`: a source with a `coverage` is not asked for a point outside
 * it (`coverage.contains(query.coord, query.srs)`, the clicked pixel in the request's SRS); it
 * answers nothing, as for a layer without features there.
 */
function withinCoverage(source: FeatureInfoSource, coverage: Coverage): FeatureInfoSource {
  return {
    getFeatureInfo: (query) => {
      const { bbox, size, pos } = query;
      // MapProxy `InfoQuery.coord`: make_lin_transf((0, 0, width, height), bbox)(pos)
      const x = bbox[0] + (pos[0] * (bbox[2] - bbox[0])) / size[0];
      const y = bbox[1] + ((size[1] - pos[1]) * (bbox[3] - bbox[1])) / size[1];
      return coverage.containsPoint([x, y], query.srs) ? source.getFeatureInfo(query) : Promise.resolve(null);
    },
  };
}
