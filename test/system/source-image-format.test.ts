/**
 * A WMS source's `image.format` and a `req.format` naming a `globals.image.formats` entry decide
 * the format asked of the server, as MapProxy's source `image_opts.format` does: we asked for the
 * cache's or the map's format (image/png) and sent a named format as `image/my_gif`. Expected
 * URLs are MapProxy 1.15.1's for the same configuration and maps.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

/** A grey PNG of the requested size, whatever format was asked (the source reads the bytes). */
async function sized(request: UpstreamRequest) {
  const width = Number(request.query.get('width'));
  const height = Number(request.query.get('height'));
  const body = await sharp({ create: { width, height, channels: 3, background: { r: 90, g: 90, b: 90 } } })
    .png()
    .toBuffer();
  return { headers: { 'content-type': 'image/png' }, body };
}

const CASES = [
  {
    layer: 'cached',
    url: '/s?layers=a&format=image%2Fjpeg&bbox=0.0,-1.3969838619232178e-09,2504688.5428486555,2504688.542848654&width=256&height=256&srs=EPSG%3A3857&request=GetMap&version=1.1.1&service=WMS&styles=',
  },
  {
    layer: 'direct',
    url: '/s?layers=a&bbox=0.0,0.0,10.0,10.0&width=100&height=100&srs=EPSG%3A4326&format=image%2Fjpeg&request=GetMap&version=1.1.1&service=WMS&styles=',
  },
  {
    layer: 'named',
    url: '/n?layers=a&format=image%2Fgif&bbox=0.0,0.0,10.0,10.0&width=100&height=100&srs=EPSG%3A4326&request=GetMap&version=1.1.1&service=WMS&styles=',
  },
  // req.format: png names no entry and is no mime type: no source format, the map's is asked for
  // (we asked for image/png)
  {
    layer: 'bare',
    format: 'image/jpeg',
    url: '/b?layers=a&format=image%2Fjpeg&bbox=0.0,0.0,10.0,10.0&width=100&height=100&srs=EPSG%3A4326&request=GetMap&version=1.1.1&service=WMS&styles=',
  },
  // ... and in a JPEG cache, the cache's request format
  {
    layer: 'bare_cached',
    format: 'image/jpeg',
    url: '/b?layers=a&format=image%2Fjpeg&bbox=0.0,-1.3969838619232178e-09,2504688.5428486555,2504688.542848654&width=256&height=256&srs=EPSG%3A3857&request=GetMap&version=1.1.1&service=WMS&styles=',
  },
] as const;

for (const { layer, url, format = 'image/png' } of CASES as readonly {
  layer: string;
  url: string;
  format?: string;
}[]) {
  test(`${layer}: the server is asked for the source's format, as MapProxy asks`, async (t) => {
    const upstream = await startUpstream(t);
    upstream.expect(url, sized);
    const proxy = await startProxy(t, 'source-image-format/mapproxy.yaml', { UPSTREAM_URL: upstream.url });
    const res = await fetch(
      `${proxy.url}/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=${layer}&SRS=EPSG:4326&BBOX=0,0,10,10&WIDTH=100&HEIGHT=100&FORMAT=${format}&STYLES=`,
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), format);
    upstream.verify();
  });
}
