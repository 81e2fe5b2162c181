/**
 * The offline configuration every bench target serves: one WMS source on the bench upstream,
 * cached in GLOBAL_WEBMERCATOR with 4x4 meta tiles, published as TMS, WMTS (KVP + REST) and KML.
 */
import { META_SIZE } from './tiles.js';

/** The mapproxy.yaml text for an upstream at `upstreamUrl`; the cache lives in `./cache_data`. */
export function benchConfig(upstreamUrl: string): string {
  return `# written by npm run bench
services:
  tms:
  wmts:
  kml:
layers:
  - name: osm
    title: bench layer
    sources: [osm_cache]
caches:
  osm_cache:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [osm_wms]
    meta_size: [${META_SIZE}, ${META_SIZE}]
    meta_buffer: 0
sources:
  osm_wms:
    type: wms
    req:
      url: ${upstreamUrl}/service
      layers: osm
globals:
  cache:
    base_dir: ./cache_data
    lock_dir: ./cache_data/locks
`;
}
