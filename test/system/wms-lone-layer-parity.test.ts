/**
 * Issue 12, legendgraphic.yaml of the differential corpus: a GetMap of one direct layer on an
 * opaque WMS source goes out as the source answered it, transparent parts included, even without
 * TRANSPARENT=true (MapProxy 1.15 `LayerMerger.merge` returns a lone layer whose image options are
 * not transparent as is). MapProxy's answers were captured with MapServer as the upstream.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

const DIR = join(FIXTURES_DIR, 'diff-parity');

test('a lone opaque WMS layer keeps the transparent parts of the upstream PNG, as MapProxy answers', async (t) => {
  // MapProxy's answer is MapServer's RGBA PNG byte for byte (transparent beyond -180 and -90)
  const captured = await readFile(join(DIR, 'legendgraphic-static-url-4326.png'));
  const upstream = await startUpstream(t);
  upstream.expect(
    (request) =>
      request.query.get('layers') === 'foo,bar' &&
      request.query.get('srs') === 'EPSG:4326' &&
      request.query.get('bbox') === '-261.3451805,-197.7734755,134.4348195,6.226524535' &&
      request.query.get('transparent') === null,
    { body: captured, headers: { 'content-type': 'image/png' } },
  );
  const proxy = await startProxy(t, 'diff-parity/legendgraphic.yaml', { UPSTREAM_URL: upstream.url });
  const res = await fetch(
    `${proxy.url}/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=wms_source_static_url&STYLES=&SRS=EPSG:4326&BBOX=-261.3451805,-197.7734755,134.4348195,6.226524535&WIDTH=201&HEIGHT=103&FORMAT=image%2Fpng`,
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), captured);
  upstream.verify();
});

test('two combined sources outside the world keep the upstream TIFF transparent, as MapProxy answers', async (t) => {
  const [width, height] = [526, 900];
  // MapServer answers a fully transparent RGBA TIFF; MapProxy's answer decodes to (0, 0, 0, 0) everywhere
  const transparent = await sharp(Buffer.alloc(width * height * 4), { raw: { width, height, channels: 4 } })
    .tiff({ compression: 'lzw' })
    .toBuffer();
  const upstream = await startUpstream(t);
  upstream.expect((request) => request.query.get('layers') === 'foo,bar,spam', {
    body: transparent,
    headers: { 'content-type': 'image/tiff' },
  });
  const proxy = await startProxy(t, 'diff-parity/legendgraphic.yaml', { UPSTREAM_URL: upstream.url });
  const res = await fetch(
    `${proxy.url}/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0&LAYERS=wms_mult_sources&STYLES=&CRS=CRS:84&BBOX=203.1905291,60.30942984,204.9895291,63.86047436&WIDTH=${width}&HEIGHT=${height}&FORMAT=image%2Ftiff`,
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/tiff');
  const { data, info } = await sharp(Buffer.from(await res.arrayBuffer()))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [width, height]);
  assert.ok(
    data.every((byte) => byte === 0),
    'every pixel (0, 0, 0, 0)',
  );
  upstream.verify();
});

test('re-encoded to a true-colour format, the lone opaque layer keeps its alpha, as MapProxy re-encodes it', async (t) => {
  // MapProxy ImageSource.as_buffer: an answer in another format is re-encoded from its RGBA image,
  // and img_to_buf keeps alpha in a TIFF (xslt_featureinfo.yaml: MapProxy's GeoTIFF was RGBA)
  const png = await readFile(join(DIR, 'legendgraphic-static-url-4326.png'));
  const upstream = await startUpstream(t);
  upstream.expect((request) => request.query.get('format') === 'image/tiff', {
    body: png,
    headers: { 'content-type': 'image/png' },
  });
  const proxy = await startProxy(t, 'diff-parity/legendgraphic.yaml', { UPSTREAM_URL: upstream.url });
  const res = await fetch(
    `${proxy.url}/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=wms_source_static_url&STYLES=&SRS=EPSG:4326&BBOX=-261.3451805,-197.7734755,134.4348195,6.226524535&WIDTH=201&HEIGHT=103&FORMAT=image%2Ftiff`,
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/tiff');
  const ours = await sharp(Buffer.from(await res.arrayBuffer()))
    .ensureAlpha()
    .raw()
    .toBuffer();
  const answer = await sharp(png).ensureAlpha().raw().toBuffer();
  assert.ok(ours.equals(answer), 'the TIFF holds the upstream pixels, transparent ones included');
  upstream.verify();
});

test('a lone opaque WMS layer reprojected from a supported SRS keeps the transparent parts, as MapProxy answers', async (t) => {
  // legendgraphic.yaml, EPSG:4258 (not supported by the source: asked in EPSG:4326 and
  // reprojected); MapProxy's transformed image keeps the source's options and goes out as is: its
  // GeoTIFF of a transparent upstream answer was transparent (alpha 0) everywhere
  const upstream = await startUpstream(t);
  upstream.expect(
    (request) => request.query.get('srs') === 'EPSG:4326',
    async (request) => {
      const width = Number(request.query.get('width'));
      const height = Number(request.query.get('height'));
      return sharp(Buffer.alloc(width * height * 4), { raw: { width, height, channels: 4 } })
        .png()
        .toBuffer();
    },
  );
  const proxy = await startProxy(t, 'diff-parity/legendgraphic.yaml', { UPSTREAM_URL: upstream.url });
  const res = await fetch(
    `${proxy.url}/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=wms_layer_static_url&STYLES=&SRS=EPSG:4258&BBOX=5,45,15,55&WIDTH=120&HEIGHT=100&FORMAT=image%2Ftiff`,
  );
  assert.equal(res.status, 200);
  const { data, info } = await sharp(Buffer.from(await res.arrayBuffer()))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [120, 100]);
  let opaque = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) opaque++;
  assert.equal(opaque, 0, 'every pixel transparent');
  upstream.verify();
});
