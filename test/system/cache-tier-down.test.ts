/**
 * A remote cache tier that cannot be reached degrades as configured and never takes the process
 * down: by default the tile comes from the source and is served unstored; with
 * `on_unavailable: fail` (mapproxy-ts's own) the request fails with the service's exception, as
 * MapProxy 1.15 fails it, without asking the source.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onLog, type LogRecord } from '../../src/core/util/index.js';
import { startProxy } from '../helpers/proxy.js';
import { freePort } from '../helpers/redis-server.js';
import { isolateAwsSdk } from '../helpers/s3-server.js';
import { solidPng, startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

isolateAwsSdk();

const wmsImage = (request: UpstreamRequest): Promise<Buffer> =>
  solidPng([30, 60, 90, 255], [Number(request.query.get('width')), Number(request.query.get('height'))]);

test('redis or s3 down: served from the source by default, a service exception with on_unavailable: fail', async (t) => {
  const upstream = await startUpstream(t, { '/service': wmsImage });
  const proxy = await startProxy(t, 'system/cache-tier-down.yaml', {
    DEAD_PORT: String(await freePort()),
    UPSTREAM_URL: upstream.url,
  });

  // 1. the default: every request is answered from the source
  for (const attempt of ['first', 'second']) {
    const res = await fetch(`${proxy.url}/wmts/served/GLOBAL_WEBMERCATOR/1/0/0.png`);
    assert.equal(res.status, 200, attempt);
    assert.equal(res.headers.get('content-type'), 'image/png');
  }
  assert.equal(upstream.requests.length, 2, 'nothing was stored');

  // 2. on_unavailable: fail, over WMTS and TMS: the service's exception, no source request, and a
  // line in the operator's log (a tile request failing on its cache wrote none)
  const logged: LogRecord[] = [];
  t.after(onLog((record) => logged.push(record)));
  for (const layer of ['failing', 's3failing']) {
    const wmts = await fetch(`${proxy.url}/wmts/${layer}/GLOBAL_WEBMERCATOR/1/0/0.png`);
    assert.equal(wmts.status, 500, layer);
    assert.match(await wmts.text(), /<ows:ExceptionReport[\s\S]*NoApplicableCode/);
    const tms = await fetch(`${proxy.url}/tms/1.0.0/${layer}/GLOBAL_WEBMERCATOR/1/0/0.png`);
    assert.equal(tms.status, 500, layer);
    assert.match(await tms.text(), /<TileMapServerError>/);
  }
  assert.equal(upstream.requests.length, 2);
  const errors = logged.filter((record) => record.name === 'mapproxy.cache' && record.level === 'error');
  assert.equal(errors.length, 4, JSON.stringify(logged));

  // 3. and the process still serves
  assert.equal((await fetch(`${proxy.url}/wmts/served/GLOBAL_WEBMERCATOR/1/1/1.png`)).status, 200);
});
