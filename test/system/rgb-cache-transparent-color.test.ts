/**
 * A cache with `image: {mode: RGB}` over a source with `transparent_color`: the cache is
 * transparent (its source is), but MapProxy's create_image makes the tile mosaic RGB (the mode
 * wins), so the tiles' transparent pixels are pasted without their alpha and show their own
 * colour, opaque, under TRANSPARENT=true and false, and the map is quantised as RGB. Ours kept the
 * mosaic transparent there: the layer below or the background showed through (generated
 * differential: seed 11 gen-11-02 at 22.9-24.5 dB, seed 12 gen-12-02 at 17.6-25.0 dB; seed 8
 * gen-8-09, a mode RGB cache past its grid's ±85.05°, the layer beneath where MapProxy is white).
 * The same cache without a mode is the control. The maps are MapProxy 1.15's, captured by
 * test/fixtures/rgb-cache-transparent-color/capture.py.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const DIR = join(FIXTURES_DIR, 'rgb-cache-transparent-color');

/** capture.py's answer: red, with a 7-pixel cross of rgb(20, 20, 20) through the middle. */
function lines(request: UpstreamRequest): Promise<Buffer> {
  const width = Number(request.query.get('width'));
  const height = Number(request.query.get('height'));
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cross = Math.abs(y - Math.floor(height / 2)) <= 3 || Math.abs(x - Math.floor(width / 2)) <= 3;
      data.set(cross ? [20, 20, 20] : [200, 50, 50], (y * width + x) * 3);
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

async function rgba(image: Buffer): Promise<Buffer> {
  return sharp(image).ensureAlpha().raw().toBuffer();
}

test('a mode RGB cache’s map shows its tiles’ transparent_color pixels opaque, as MapProxy', async (t) => {
  const captures = JSON.parse(await readFile(join(DIR, 'captures.json'), 'utf8')) as Record<
    string,
    { query: string; image: string }
  >;
  const upstream = await startUpstream(t, { '/service': lines });
  const proxy = await startProxy(t, 'rgb-cache-transparent-color/rgb_cache_transparent_color.yaml', {
    UPSTREAM_URL: upstream.url,
  });
  const differing: string[] = [];
  for (const [step, capture] of Object.entries(captures)) {
    const res = await fetch(`${proxy.url}/service?${capture.query}`);
    assert.equal(res.status, 200, step);
    const ours = await rgba(Buffer.from(await res.arrayBuffer()));
    if (!ours.equals(await rgba(await readFile(join(DIR, capture.image))))) differing.push(step);
  }
  assert.deepEqual(differing, []);
});
