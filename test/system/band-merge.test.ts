/**
 * Band merging (MapProxy's cache_band_merge.yaml fixture): caches whose `sources` pick, scale and
 * sum channels of another cache. The expected tiles were captured from MapProxy 1.15 on the same
 * configuration against the same upstream (a WMS drawing r = 7x, g = 3y, b = 5(x + y), mod 256,
 * at any size) and are compared decoded, pixel for pixel.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, wmsQuery, type UpstreamRequest } from '../helpers/upstream.js';

const DIR = 'band-merge';

/** The captured upstream: the same pattern for every requested size. */
async function patternPng(request: UpstreamRequest): Promise<Buffer> {
  const width = Number(request.query.get('width'));
  const height = Number(request.query.get('height'));
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      data[o] = (x * 7) % 256;
      data[o + 1] = (y * 3) % 256;
      data[o + 2] = ((x + y) * 5) % 256;
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

async function rgba(png: Buffer): Promise<Buffer> {
  return sharp(png).ensureAlpha().raw().toBuffer();
}

test('band-merged tiles and maps have MapProxy 1.15 pixels, from one upstream meta tile', async (t) => {
  const upstream = await startUpstream(t);
  // MapProxy 1.15's only upstream request for all of the answers below: dop_cache's meta tile
  upstream.expect(
    wmsQuery('/wms', {
      layers: 'dop',
      format: 'image/png',
      bbox: '-1565430.3392804097,-1565430.3392804088,20037508.342789244,20037508.342789244',
      width: '1104',
      height: '1104',
      srs: 'EPSG:3857',
      request: 'GetMap',
      version: '1.1.1',
      service: 'WMS',
      styles: '',
    }),
    patternPng,
  );
  const proxy = await startProxy(t, join(DIR, 'cache_band_merge.yaml'), { UPSTREAM_URL: upstream.url });
  const cases: [string, string][] = [
    ['dop_l.png', '/wmts/dop_l/GLOBAL_WEBMERCATOR/3/4/2.png'],
    ['dop_0.png', '/wmts/dop_0/GLOBAL_WEBMERCATOR/3/4/2.png'],
    ['dop_021.png', '/wmts/dop_021/GLOBAL_WEBMERCATOR/3/4/2.png'],
    ['dop_0122.png', '/wmts/dop_0122/GLOBAL_WEBMERCATOR/3/4/2.png'],
    [
      'getmap_dop_l.png',
      '/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=dop_l&STYLES=&SRS=EPSG:3857' +
        '&BBOX=0,0,5009377.085697312,5009377.085697312&WIDTH=256&HEIGHT=256&FORMAT=image/png',
    ],
  ];
  for (const [expectedFile, path] of cases) {
    const res = await fetch(`${proxy.url}${path}`);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('content-type'), 'image/png', path);
    const ours = await rgba(Buffer.from(await res.arrayBuffer()));
    const theirs = await rgba(await readFile(join(FIXTURES_DIR, DIR, expectedFile)));
    assert.ok(ours.equals(theirs), `${path}: pixels differ from MapProxy's ${expectedFile}`);
  }
  upstream.verify();
});

/** Decoded RGBA composited onto white: MapProxy answers a lone rgba tile's map in RGBA, ours on white. */
async function onWhite(png: Buffer): Promise<Buffer> {
  return sharp(png).flatten({ background: '#ffffff' }).ensureAlpha().raw().toBuffer();
}

test('band-merged maps past the grid and with alpha have MapProxy 1.15 pixels', async (t) => {
  const upstream = await startUpstream(t, { '/wms': patternPng });
  const proxy = await startProxy(t, join(DIR, 'band_merge_maps.yaml'), { UPSTREAM_URL: upstream.url });
  const map = '/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&STYLES=&SRS=EPSG:4326&FORMAT=image/png&';
  const pastTheGrid = 'BBOX=-209.4186298,22.15664774,-101.4786298,93.09870538&WIDTH=153&HEIGHT=101';
  const acrossTiles = 'BBOX=-200,-100,100,60&WIDTH=600&HEIGHT=320';
  // capture-maps.py's maps, in its order: an opaque band merge (l, rgb) is black where the map
  // has no source, as Pillow fills an RGB image; the rgba merge's lone tile is transparent there;
  // its tiles on the opaque cache's mosaic lose their alpha and keep their colours
  const maps = [
    `LAYERS=dop_l&${pastTheGrid}`,
    `LAYERS=dop_021&${pastTheGrid}`,
    `LAYERS=dop_0122&${pastTheGrid}`,
    `LAYERS=dop_0122&${acrossTiles}`,
    `LAYERS=dop_l&${acrossTiles}`,
  ];
  const counts = (await readFile(join(FIXTURES_DIR, DIR, 'upstream-requests.txt'), 'utf8')).trim().split(' ');
  for (const [n, query] of maps.entries()) {
    const res = await fetch(`${proxy.url}${map}${query}`);
    assert.equal(res.status, 200, query);
    assert.equal(res.headers.get('content-type'), 'image/png', query);
    const ours = await onWhite(Buffer.from(await res.arrayBuffer()));
    const theirs = await onWhite(await readFile(join(FIXTURES_DIR, DIR, `map-${n}.png`)));
    assert.equal(ours.length, theirs.length, query);
    // within one level: MapProxy's RGBA answer meets white in the decoder, ours in the map
    const worst = ours.reduce((max, value, i) => Math.max(max, Math.abs(value - (theirs[i] ?? 0))), 0);
    assert.ok(worst <= 1, `${query}: pixels differ from MapProxy's map-${n}.png by up to ${worst}`);
    assert.equal(upstream.requests.length, Number(counts[n]), `${query}: upstream requests so far`);
  }
});
