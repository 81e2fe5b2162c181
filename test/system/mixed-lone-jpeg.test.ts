/**
 * A reprojected GetMap from one tile of a transparent `format: mixed` cache, pinned with MapProxy
 * 1.15's answers on test/fixtures/mixed/mixed.yaml (layer from_wms: opaque left half, so JPEG
 * tiles there): where the reprojection has no source the tile just created gives white (its RGBA
 * image in memory), the same tile read back as JPEG gives black (an RGB mosaic, as Pillow fills).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

/** The capture's WMS: the left half of every image opaque rgb(30, 90, 200), the rest transparent. */
async function halfOpaque(request: UpstreamRequest): Promise<Buffer> {
  const width = Number(request.query.get('width'));
  const height = Number(request.query.get('height'));
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < Math.trunc(width / 2); x++) data.set([30, 90, 200, 255], (y * width + x) * 4);
  return sharp(data, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

async function pixel(res: Response, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(Buffer.from(await res.arrayBuffer()))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * 4;
  return [...data.subarray(at, at + 4)];
}

test('a lone JPEG tile of a transparent mixed cache reprojects onto white when created, black when read back', async (t) => {
  const upstream = await startUpstream(t, { '/wms': halfOpaque });
  const proxy = await startProxy(t, 'mixed/mixed.yaml', { UPSTREAM_URL: upstream.url });
  const path =
    '/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&SRS=EPSG:4326&BBOX=-170,10,-10,90' +
    '&WIDTH=200&HEIGHT=100&LAYERS=from_wms&STYLES=&FORMAT=image/png';
  // MapProxy 1.15: miss (255, 255, 255) then hit (0, 0, 0) at (100, 0), beyond 85.05°N
  for (const [attempt, expected] of [
    ['miss', [255, 255, 255, 255]],
    ['hit', [0, 0, 0, 255]],
  ] as const) {
    const res = await fetch(`${proxy.url}${path}`);
    assert.equal(res.status, 200, attempt);
    const [top, bottom] = [await pixel(res.clone(), 100, 0), await pixel(res, 100, 99)];
    assert.deepEqual(top, expected, attempt);
    // the tile itself: rgb(30, 90, 200), through JPEG when read back
    assert.ok(
      bottom.slice(0, 3).every((v, i) => Math.abs(v - [30, 90, 200][i]!) <= 3),
      `${attempt}: ${bottom.join(',')}`,
    );
  }
  assert.equal(upstream.requests.length, 1); // the second GetMap was served from the cache
});
