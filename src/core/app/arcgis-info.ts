/** The `identify` feature info of an `arcgis` source with `opts.featureinfo` (MapProxy `fi_source`). */
import type { LoadedConfig } from '../config/index.js';
import { createArcgisInfoSource, type FeatureInfoSource } from '../source/index.js';
import type { ArcgisSourceConfig } from './arcgis-source-config.js';
import { infoHttp, sourceHttp } from './source-http.js';

/** The info source of source `ref`, or null when it is no arcgis source or has no feature info. */
export function arcgisInfoSource(loaded: LoadedConfig, ref: string): FeatureInfoSource | null {
  const source = loaded.config.sources[ref];
  if (source?.type !== 'arcgis') return null;
  const conf = source as unknown as ArcgisSourceConfig;
  if (conf.opts?.featureinfo !== true) return null;
  return createArcgisInfoSource({
    name: ref,
    req: conf.req,
    supportedSrs: conf.supported_srs,
    srs: { preferredSrcProj: loaded.config.globals.srs.preferred_src_proj },
    tolerance: conf.opts.featureinfo_tolerance,
    returnGeometries: conf.opts.featureinfo_return_geometries,
    ...infoHttp(sourceHttp(loaded, ref, conf.http)),
  });
}
