/**
 * A WMS source's reprojection to its `supported_srs` resamples as its `image.resampling_method`
 * says, else as `globals.image.resampling_method` (MapProxy's source `image_opts`): it was bicubic
 * whatever the configuration said (found by the generated differential run, seed 6, gen-6-01; by
 * hand against MapProxy 1.15 our nearest and bilinear tiles then matched its pixels exactly).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const RED = [220, 30, 30];
const BLUE = [30, 30, 220];

/** A red and blue checkerboard of 8-pixel squares at the requested size: two colours only. */
function checkerboard(request: UpstreamRequest): Promise<Buffer> {
  const width = Number(request.query.get('width'));
  const height = Number(request.query.get('height'));
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1)
      data.set((x >> 3) % 2 === (y >> 3) % 2 ? RED : BLUE, (y * width + x) * 3);
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** The distinct RGB colours of a PNG map. */
async function colours(png: Buffer): Promise<Set<string>> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const found = new Set<string>();
  for (let at = 0; at < data.length; at += info.channels)
    found.add(`${data[at]},${data[at + 1]},${data[at + 2]}`);
  return found;
}

async function map(layer: string, t: Parameters<typeof startUpstream>[0]): Promise<Set<string>> {
  const upstream = await startUpstream(t);
  // asked in the source's supported SRS, whatever the map's
  upstream.expect((request) => request.query.get('srs') === 'EPSG:3857', checkerboard);
  const proxy = await startProxy(t, 'source-resampling/source_resampling.yaml', {
    UPSTREAM_URL: upstream.url,
  });
  const res = await fetch(
    `${proxy.url}/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&STYLES=&SRS=EPSG:4326&BBOX=-10,40,10,60&WIDTH=200&HEIGHT=200&FORMAT=image/png&LAYERS=${layer}`,
  );
  assert.equal(res.status, 200);
  upstream.verify();
  return colours(Buffer.from(await res.arrayBuffer()));
}

test("a source's own resampling_method: nearest keeps the upstream's two colours", async (t) => {
  assert.deepEqual([...(await map('nearest', t))].sort(), [RED.join(','), BLUE.join(',')].sort());
});

test("globals.image.resampling_method (bilinear) blends the source's squares at their edges", async (t) => {
  const found = await map('global', t);
  assert.ok(found.has(RED.join(',')) && found.has(BLUE.join(',')));
  // bilinear mixes red and blue where squares meet (bicubic would also overshoot past both)
  const mixed = [...found].filter((c) => c !== RED.join(',') && c !== BLUE.join(','));
  assert.ok(mixed.length > 0, 'blended colours between the squares');
  for (const colour of mixed) {
    const [r = 0, g = 0, b = 0] = colour.split(',').map(Number);
    assert.equal(g, 30, `bilinear stays on the red-blue line: ${colour}`);
    assert.ok(r >= 30 && r <= 220 && b >= 30 && b <= 220, `bilinear stays between the two: ${colour}`);
  }
});
