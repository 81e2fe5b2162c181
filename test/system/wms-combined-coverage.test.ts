/**
 * WMS sources with the same URL and equal, but separately configured, bbox coverages combine into
 * one upstream GetMap: MapProxy 1.15 compares coverages by value (`BBOXCoverage.__eq__`: SRS and
 * bbox), and the combined request keeps the first source's parameters (found by the generated
 * differential run, seed 5, gen-5-09, where we sent two requests). Pinned with MapProxy's logged
 * upstream requests on combined_coverage.yaml. A source outside its resolution range draws nothing
 * and does not keep the sources around it apart when MapProxy would combine it with them
 * (generated differential, seed 23, gen-23-00), but does when it would not (gen-23-01).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProxy } from '../helpers/proxy.js';
import { solidPng, startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const MAP =
  '/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&STYLES=&SRS=EPSG:4326&BBOX=0,40,10,50&WIDTH=64&HEIGHT=64&FORMAT=image/png';

const upstreamRequest = (query: string): string =>
  `/service?${query}&bbox=0.0,40.0,10.0,50.0&width=64&height=64&srs=EPSG%3A4326&format=image%2Fpng&request=GetMap&version=1.1.1&service=WMS&styles=`;

// MapProxy 1.15's upstream requests for each layer list, from its upstream's log
const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  // equal coverages: one request, the opaque first source's parameters (no transparent)
  'lb,la': [upstreamRequest('layers=b,a')],
  // a different coverage: not combined
  'la,lc': [upstreamRequest('layers=a&transparent=True'), upstreamRequest('layers=c&transparent=True')],
  // a source outside its resolution range between two that combine (sa, sd, sa): one request, as
  // MapProxy's, but without sd's layer (MapProxy asks layers=a,d,a: docs/differences); we sent
  // one request for each sa
  'ld,la': [upstreamRequest('layers=a,a&transparent=True')],
  // the same with a source MapProxy cannot combine with them (another coverage): it keeps them
  // apart though it draws nothing, two requests as MapProxy's (generated differential seed 23,
  // gen-23-01: we combined them after 7489406)
  'le,la': [upstreamRequest('layers=a&transparent=True'), upstreamRequest('layers=a&transparent=True')],
};

/** Solid green at the requested size (the answer's pixels do not matter here). */
function solidGreen(request: UpstreamRequest): Promise<Buffer> {
  return solidPng([10, 200, 30], [Number(request.query.get('width')), Number(request.query.get('height'))]);
}

for (const [layers, paths] of Object.entries(EXPECTED)) {
  test(`LAYERS=${layers} sends MapProxy's upstream requests`, async (t) => {
    const upstream = await startUpstream(t);
    for (const path of paths) upstream.expect((request) => request.path === path, solidGreen);
    const proxy = await startProxy(t, 'combined-coverage/combined_coverage.yaml', {
      UPSTREAM_URL: upstream.url,
    });
    const res = await fetch(`${proxy.url}${MAP}&LAYERS=${layers}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    upstream.verify();
    assert.equal(upstream.requests.length, paths.length);
  });
}
