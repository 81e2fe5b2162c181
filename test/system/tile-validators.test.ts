/**
 * Cache validators of tiles from caches that keep no timestamps (mbtiles, geopackage), as MapProxy
 * 1.15 sends them: a created tile carries the time it was stored (its tile_buffer stamps
 * time.time()); a tile read back has no timestamp, so no Last-Modified, an ETag of md5('None' +
 * size), and If-Modified-Since never makes a 304 (its make_conditional needs a timestamp).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { startProxy } from '../helpers/proxy.js';
import { solidPng, startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

for (const layer of ['mb', 'gp']) {
  test(`a ${layer} tile read back has no Last-Modified and an ETag of None and its size, as MapProxy sends it`, async (t) => {
    const upstream = await startUpstream(t);
    upstream.expect(
      (r: UpstreamRequest) => r.query.get('request') === 'GetMap',
      (r) => solidPng([200, 30, 30, 255], [Number(r.query.get('width')), Number(r.query.get('height'))]),
      { times: 1 },
    );
    const proxy = await startProxy(t, 'sqlite-caches/no-timestamps.yaml', { UPSTREAM_URL: upstream.url });
    const url = `${proxy.url}/tms/1.0.0/${layer}/EPSG3857/1/0/0.png`;
    // 1. created: stamped with the time it was stored
    const created = await fetch(url);
    const size = (await created.arrayBuffer()).byteLength;
    assert.equal(created.status, 200);
    assert.notEqual(created.headers.get('last-modified'), null);
    // 2. read back from the file: no Last-Modified (MapProxy 1.15 on the corpus differential's
    //    cache_mbtiles, seed 24, a HEAD of a stored TMS tile), the ETag of etag_data (None, size)
    //    and the default max-age (72 h), as its response.py cache_headers writes them
    const hit = await fetch(url);
    assert.equal((await hit.arrayBuffer()).byteLength, size);
    assert.equal(hit.headers.get('last-modified'), null);
    const etag = createHash('md5').update(`None${size}`).digest('hex');
    assert.equal(hit.headers.get('etag'), etag);
    assert.equal(hit.headers.get('cache-control'), 'public, max-age=259200, s-maxage=259200');
    // 3. revalidation: by the ETag only
    const since = await fetch(url, { headers: { 'If-Modified-Since': 'Fri, 01 Jan 2100 00:00:00 GMT' } });
    assert.equal(since.status, 200);
    await since.arrayBuffer();
    const match = await fetch(url, { headers: { 'If-None-Match': etag } });
    assert.equal(match.status, 304);
  });
}
