/**
 * A layer named twice in one GetMap, directly and through its group (`LAYERS=la,grp`) or as
 * `LAYERS=la,la`: MapProxy 1.15 keys the layers it draws by name in an ordered dict, so the layer
 * is drawn once, at its first place (found by the generated differential run, seed 2, gen-2-04:
 * we asked the upstream for `layers=l0,l0,l0` where MapProxy asked for `l0,l0`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProxy } from '../helpers/proxy.js';
import { solidPng, startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const MAP =
  '/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&STYLES=&SRS=EPSG:4326&BBOX=-10,40,10,60&WIDTH=64&HEIGHT=64&FORMAT=image/png';

const upstreamRequest = (layers: string): string =>
  `/service?layers=${layers}&transparent=True&bbox=-10.0,40.0,10.0,60.0&width=64&height=64&srs=EPSG%3A4326&format=image%2Fpng&request=GetMap&version=1.1.1&service=WMS&styles=`;

// MapProxy 1.15's one upstream request for each, from its upstream's log (layer_twice.yaml)
const EXPECTED: Readonly<Record<string, string>> = {
  'la,grp': upstreamRequest('a,b'),
  'la,la': upstreamRequest('a'),
  'grp,la': upstreamRequest('a,b'),
  'lb,grp,la': upstreamRequest('b,a'),
  'la,lc,grp': upstreamRequest('a,c,b'),
};

/** Solid green at the requested size (the answer's pixels do not matter here). */
function solidGreen(request: UpstreamRequest): Promise<Buffer> {
  return solidPng([10, 200, 30], [Number(request.query.get('width')), Number(request.query.get('height'))]);
}

for (const [layers, upstreamPath] of Object.entries(EXPECTED)) {
  test(`LAYERS=${layers} draws each layer once, at its first place, as MapProxy`, async (t) => {
    const upstream = await startUpstream(t);
    upstream.expect((request) => request.path === upstreamPath, solidGreen);
    const proxy = await startProxy(t, 'layer-twice/layer_twice.yaml', { UPSTREAM_URL: upstream.url });
    const res = await fetch(`${proxy.url}${MAP}&LAYERS=${layers}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    upstream.verify();
    assert.equal(upstream.requests.length, 1);
  });
}
