/**
 * The offline configuration every bench target serves: one WMS source on the bench upstream,
 * cached in GLOBAL_WEBMERCATOR with 4x4 meta tiles, published as TMS, WMTS (KVP + REST), KML and
 * WMS (the cache reprojected to EPSG:4326 and EPSG:25832); `benchSeedConfig` seeds that cache.
 */
import { META_SIZE } from './tiles.js';

/** Cache backends the bench can put the tiles in (`--cache`). */
export const BENCH_CACHE_TYPES = ['file', 'mbtiles', 'sqlite', 'geopackage', 's3', 'compact', 'redis'] as const;
export type BenchCacheType = (typeof BENCH_CACHE_TYPES)[number];

/** Where a store-backed cache lives: the S3-compatible store's URL, the redis-server's port. */
export interface BenchStore {
  readonly s3Url?: string;
  readonly redisPort?: number;
}

/** The `cache:` lines of `cacheType`; s3 and redis caches use the store in `store`. */
function cacheLines(cacheType: BenchCacheType, store: BenchStore): string {
  if (cacheType === 'file') return '';
  const extra: Partial<Record<BenchCacheType, string>> = {
    s3: `      bucket_name: bench\n      endpoint_url: ${store.s3Url ?? ''}\n`,
    // MapProxy's compact cache format 2 (one .bundle per 128x128 tiles, index inside)
    compact: '      version: 2\n',
    redis: `      host: 127.0.0.1\n      port: ${String(store.redisPort ?? 6379)}\n`,
  };
  return `    cache:\n      type: ${cacheType}\n${extra[cacheType] ?? ''}`;
}

/**
 * The mapproxy.yaml text for an upstream at `upstreamUrl`; the cache (of `cacheType`) lives in
 * `./cache_data`, or for `s3` and `redis` in the store `store` names.
 */
export function benchConfig(upstreamUrl: string, cacheType: BenchCacheType = 'file', store: BenchStore = {}): string {
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
${cacheLines(cacheType, store)}sources:
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
