/** The process-wide metrics: counted without prom-client, which loads only when they are read. */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { metrics, metricsText } from './metrics.js';

const promClientLoaded = (): boolean =>
  Object.keys(createRequire(import.meta.url).cache).some((path) =>
    path.includes('/node_modules/prom-client/'),
  );

test('counting loads no prom-client; reading shows what was counted before it loaded', async () => {
  metrics.cacheMisses('osm_cache_EPSG3857', 16);
  metrics.tilesCreated('osm_cache_EPSG3857', 16);
  metrics.upstreamRequest('osm_wms', 250, false);
  metrics.upstreamRequest('osm_wms', 40, true);
  metrics.request('tms', 200, 3);
  metrics.lockWait(2000);
  // a seed without a metrics output counts like this and never reads (issue 13: ~40 ms at start)
  assert.equal(promClientLoaded(), false);

  const text = await metricsText();
  assert.equal(promClientLoaded(), true);
  for (const line of [
    'mapproxy_cache_misses_total{cache="osm_cache_EPSG3857"} 16',
    'mapproxy_tiles_created_total{cache="osm_cache_EPSG3857"} 16',
    'mapproxy_upstream_requests_total{source="osm_wms"} 2',
    'mapproxy_upstream_errors_total{source="osm_wms"} 1',
    'mapproxy_upstream_request_duration_seconds_bucket{le="0.05",source="osm_wms"} 1',
    'mapproxy_upstream_request_duration_seconds_bucket{le="0.25",source="osm_wms"} 2',
    'mapproxy_upstream_request_duration_seconds_sum{source="osm_wms"} 0.29',
    'mapproxy_http_requests_total{service="tms",status="200"} 1',
    'mapproxy_http_request_duration_seconds_count{service="tms"} 1',
    'mapproxy_tile_lock_waits_total 1',
    'mapproxy_tile_lock_wait_seconds_bucket{le="1"} 0',
    'mapproxy_tile_lock_wait_seconds_bucket{le="2.5"} 1',
  ]) {
    assert.ok(text.split('\n').includes(line), `${line} in\n${text}`);
  }

  // once loaded, counts go on into the same series
  metrics.upstreamRequest('osm_wms', 20, false);
  metrics.cacheMisses('osm_cache_EPSG3857', 4);
  const again = (await metricsText()).split('\n');
  assert.ok(again.includes('mapproxy_upstream_requests_total{source="osm_wms"} 3'));
  assert.ok(again.includes('mapproxy_upstream_request_duration_seconds_count{source="osm_wms"} 3'));
  assert.ok(again.includes('mapproxy_cache_misses_total{cache="osm_cache_EPSG3857"} 20'));
});
