/**
 * `http.manage_cookies`: cookies an upstream sets come back on the same source's later requests
 * (feature info and maps share them), scoped by path, and never go to a source without the
 * option. Expected Cookie headers captured from MapProxy 1.15 on the same configuration and
 * upstream answers (test/fixtures/manage-cookies/mapproxy.yaml).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { solidPng, startUpstream, type UpstreamRequest } from '../helpers/upstream.js';
import { startProxy } from '../helpers/proxy.js';

const INFO =
  'SERVICE=WMS&REQUEST=GetFeatureInfo&VERSION=1.1.1&SRS=EPSG:3857&BBOX=0,0,1000000,1000000' +
  '&WIDTH=256&HEIGHT=256&X=10&Y=20&STYLES=&FORMAT=image/png';
const MAP =
  'SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&SRS=EPSG:3857&BBOX=0,0,1000000,1000000' +
  '&WIDTH=256&HEIGHT=256&STYLES=&FORMAT=image/png';

test('a source with manage_cookies sends back the cookies its upstream set, as MapProxy does', async (t) => {
  const png = await solidPng([200, 30, 30]);
  let answered = 0;
  const reply = (request: UpstreamRequest) => {
    answered += 1;
    const isInfo = request.query.get('request') === 'GetFeatureInfo';
    // the first answer sets a cookie for every path and one for a path never requested
    const cookies =
      answered === 1 ? ['session=abc; Path=/', 'only_here=1; Path=/service/sub'] : answered === 2 ? ['second=2'] : [];
    // node writes an array value as one Set-Cookie header line per entry
    const setCookie = (cookies.length > 0 ? { 'set-cookie': cookies } : {}) as Record<string, string>;
    return {
      body: isInfo ? 'info' : png,
      headers: { 'content-type': isInfo ? 'text/plain' : 'image/png', ...setCookie },
    };
  };
  const upstream = await startUpstream(t, { '/service': reply, '/plain': reply });
  const proxy = await startProxy(t, join('manage-cookies', 'mapproxy.yaml'), { UPSTREAM_URL: upstream.url });
  const get = async (query: string): Promise<void> => {
    const res = await fetch(`${proxy.url}/service?${query}`);
    assert.equal(res.status, 200, query);
    await res.arrayBuffer();
  };
  await get(`${INFO}&LAYERS=with_cookies&QUERY_LAYERS=with_cookies`);
  await get(`${INFO}&LAYERS=with_cookies&QUERY_LAYERS=with_cookies`);
  await get(`${INFO}&LAYERS=without_cookies&QUERY_LAYERS=without_cookies`);
  await get(`${MAP}&LAYERS=with_cookies`);
  // MapProxy 1.15: none, "session=abc", none (the other source), then "session=abc; second=2"
  // on each of the four tile requests of the GetMap
  assert.deepEqual(
    upstream.requests.map((r) => `${r.pathname} ${r.query.get('request') ?? ''} ${r.headers.cookie ?? '-'}`),
    [
      '/service GetFeatureInfo -',
      '/service GetFeatureInfo session=abc',
      '/plain GetFeatureInfo -',
      ...Array<string>(4).fill('/service GetMap session=abc; second=2'),
    ],
  );
});
