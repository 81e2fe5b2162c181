/**
 * WMS GetMap from caches on several grids and in named formats (issue 12), against MapProxy
 * 1.15's answers for test/fixtures/wms/wms-grids.yaml: the grid serving each request SRS (seen
 * in the SRS of the upstream requests and the tiles written), tile files of a named format,
 * and formats answered with their configured spelling.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CAPTURES, describeUpstreamRequest } from '../fixtures/wms/captures.js';
import { captured, imageDiff, startWmsProxy } from '../fixtures/wms/kit.js';

/** Tile files under `dir`/cache_data (no locks), relative to `dir`, sorted. */
async function cacheFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(dir, 'cache_data'), { recursive: true, withFileTypes: true }).catch(
    () => [],
  );
  return entries
    .filter((e) => e.isFile() && !/lock|\.lck$/i.test(e.name) && !e.parentPath.includes('tile_locks'))
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

const CASES: Readonly<Record<string, string>> = {
  'grids-geo-3857': 'a projected request is served from the UTM grid, the first projected one',
  'grids-geo-31467': 'preferred_src_proj sends EPSG:31467 to the geodetic grid',
  'grids-merc-3857': 'of two grids in one SRS the last serves; a png32 cache writes .png files',
  'grids-png8': 'FORMAT=image/png; mode=8bit (the png8 format) is served as such',
  'grids-png8-name': 'FORMAT=png8 is refused: formats are keyed by the mime type they resolve to',
  'grids-geotiff': 'image/GeoTIFF is answered and asked upstream in its own spelling',
  'grids-png-100-short': 'WMS 1.0.0 FORMAT=PNG is read as image/png',
  'grids-geotiff-100-short': 'WMS 1.0.0 FORMAT=GEOTIFF is refused as image/geotiff',
};

for (const [name, behaviour] of Object.entries(CASES)) {
  test(`${name}: ${behaviour}, as MapProxy 1.15`, async (t) => {
    const { proxy, upstream } = await startWmsProxy(t, 'wms-grids.yaml');
    const res = await fetch(proxy.url + (CAPTURES[name] ?? ''));
    const body = Buffer.from(await res.arrayBuffer());
    const expected = await captured(name);
    assert.equal(res.status, expected.status);
    assert.equal(res.headers.get('content-type'), expected.contentType);
    if (expected.contentType === 'image/png' || expected.contentType.startsWith('image/png;')) {
      const diff = await imageDiff(expected.body, body);
      assert.ok(
        diff.mean <= 1 && diff.over32 <= 0.005,
        `${name} differs from MapProxy: ${JSON.stringify(diff)}`,
      );
    }
    if (expected.contentType.includes('xml'))
      assert.equal(body.toString('utf8'), expected.body.toString('utf8'));
    const requests = upstream.requests.map((r) => describeUpstreamRequest(r.pathname, r.query)).sort();
    assert.deepEqual(requests, expected.upstream);
    assert.deepEqual(await cacheFiles(proxy.dir), expected.files);
  });
}
