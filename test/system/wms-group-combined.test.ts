/**
 * Issue 12, MapProxy's layergroups_root.yaml: a group whose sub-layers all draw one WMS source
 * configured without `req.layers`. MapProxy 1.15 (captured: its upstream log) combines the group's
 * two layers into one GetMap with an empty `layers=`; a list of layers keeps only the last opaque
 * one, whose request has no `layers` at all.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const MAP =
  '/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&STYLES=&SRS=EPSG:4326&BBOX=-10,40,10,60&WIDTH=64&HEIGHT=64&FORMAT=image/png';

// MapProxy 1.15's upstream requests, from its mapproxy.source.request log
const EXPECTED: Readonly<Record<string, string>> = {
  root: '/service?layers=&bbox=-10.0,40.0,10.0,60.0&width=64&height=64&srs=EPSG%3A4326&format=image%2Fpng&request=GetMap&version=1.1.1&service=WMS&styles=',
  'layer1a,layer2':
    '/service?bbox=-10.0,40.0,10.0,60.0&width=64&height=64&srs=EPSG%3A4326&format=image%2Fpng&request=GetMap&version=1.1.1&service=WMS&styles=',
};

function solidGreen(request: UpstreamRequest): Promise<Buffer> {
  const width = Number(request.query.get('width'));
  const height = Number(request.query.get('height'));
  const background = { r: 10, g: 200, b: 30, alpha: 1 };
  return sharp({ create: { width, height, channels: 4, background } }).png().toBuffer();
}

for (const [layers, upstreamPath] of Object.entries(EXPECTED)) {
  test(`LAYERS=${layers} makes MapProxy's one upstream request and answers its image`, async (t) => {
    const upstream = await startUpstream(t);
    upstream.expect((request) => request.path === upstreamPath, solidGreen);
    const proxy = await startProxy(t, 'layergroups-root/layergroups_root.yaml', { UPSTREAM_URL: upstream.url });
    const res = await fetch(`${proxy.url}${MAP}&LAYERS=${layers}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    const { data } = await sharp(Buffer.from(await res.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([...data.subarray(0, 3)], [10, 200, 30]);
    upstream.verify();
    assert.equal(upstream.requests.length, 1);
  });
}
