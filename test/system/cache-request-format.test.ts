/**
 * Issue 12 (multi_cache_layers.yaml): a cache hands its request format to its WMS sources, so
 * `format` follows the `req` keys in the GetMap, as in MapProxy 1.15; TMS errors quote that URL.
 * Expected answer and upstream request captured from MapProxy 1.15 on the same configuration
 * (upstream answering 200 text/plain).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

const UPSTREAM_PATH =
  '/service?layers=foo,bar&format=image%2Fpng&bbox=-20037508.342789244,-20037508.342789244,20037508.342789244,20037508.342789244&width=1024&height=1024&srs=EPSG%3A3857&request=GetMap&version=1.1.1&service=WMS&styles=';

const MAPPROXY_ANSWER = (upstreamUrl: string): string =>
  '<?xml version="1.0"?>\n<TileMapServerError>\n    <Message>no image returned from source WMS: ' +
  `${upstreamUrl}${UPSTREAM_PATH.replaceAll('&', '&amp;')}</Message>\n</TileMapServerError>`;

test("a cache's WMS source sends format right after its req keys, and the TMS error quotes that URL", async (t) => {
  const upstream = await startUpstream(t);
  upstream.expect(UPSTREAM_PATH, { headers: { 'content-type': 'text/plain' }, body: 'not an image' });
  const proxy = await startProxy(t, 'cache-request-format/cache_request_format.yaml', { UPSTREAM_URL: upstream.url });
  const res = await fetch(`${proxy.url}/tms/1.0.0/cached/GLOBAL_WEBMERCATOR/1/0/0.png`);
  assert.equal(res.status, 500);
  assert.equal(res.headers.get('content-type'), 'text/xml; charset=utf-8');
  assert.equal((await res.text()).trim(), MAPPROXY_ANSWER(upstream.url).trim());
  upstream.verify();
  assert.equal(upstream.requests.length, 1);
});
