/**
 * The offline configuration every bench target serves: one WMS source on the bench upstream,
 * cached in GLOBAL_WEBMERCATOR with 4x4 meta tiles, published as TMS, WMTS (KVP + REST), KML and
 * WMS (the cache reprojected to EPSG:4326 and EPSG:25832); `benchSeedConfig` seeds that cache.
 */
import { META_SIZE } from './tiles.js';

/** Cache backends the bench can put the tiles in (`--cache`). */
export const BENCH_CACHE_TYPES = ['file', 'mbtiles', 'sqlite', 'geopackage', 's3'] as const;
export type BenchCacheType = (typeof BENCH_CACHE_TYPES)[number];

/** The `cache:` lines of `cacheType`; an s3 cache uses bucket `bench` at `s3Url`. */
function cacheLines(cacheType: BenchCacheType, s3Url: string | undefined): string {
  if (cacheType === 'file') return '';
  const s3 = cacheType === 's3' ? `      bucket_name: bench\n      endpoint_url: ${s3Url ?? ''}\n` : '';
  return `    cache:\n      type: ${cacheType}\n${s3}`;
}

/**
 * The mapproxy.yaml text for an upstream at `upstreamUrl`; the cache (of `cacheType`) lives in
 * `./cache_data`, or for `s3` in the S3-compatible store at `s3Url`.
 */
export function benchConfig(upstreamUrl: string, cacheType: BenchCacheType = 'file', s3Url?: string): string {
  return `# written by npm run bench
services:
  tms:
  wmts:
  kml:
  wms:
    srs: ['EPSG:3857', 'EPSG:4326', 'EPSG:25832']
    md:
      title: bench
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
${cacheLines(cacheType, s3Url)}sources:
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

/** The seed.yaml text seeding the whole bench cache, levels 0 to `toLevel`. */
export function benchSeedConfig(toLevel: number): string {
  return `# written by npm run bench
seeds:
  world:
    caches: [osm_cache]
    levels:
      to: ${toLevel}
`;
}
