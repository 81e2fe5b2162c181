/**
 * A transparent WMS source answering a paletted PNG: MapProxy's ImageSource.as_image converts it
 * to RGBA (the source's image options are transparent), so the lone layer's map is encoded from
 * an RGBA image and keeps its transparent pixels in a GIF (and in a quantised PNG). Ours took
 * the palette's mode for RGB-like and encoded the map without alpha: transparent pixels came out
 * black. Found by the generated differential run (seed 9, gen-9-07: a map past longitude 180,
 * all transparent upstream, PSNR 6.0 dB). Pillow's GIF writer quantises an RGBA image with
 * FASTOCTREE even when no pixel is transparent (six near greens become one), where we took the
 * RGB path (median cut, all six kept) unless a pixel was transparent. The maps are MapProxy 1.15's, captured by
 * test/fixtures/palette-source-map/capture.py.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

const DIR = join(FIXTURES_DIR, 'palette-source-map');

async function rgba(image: Buffer): Promise<Buffer> {
  return sharp(image).ensureAlpha().raw().toBuffer();
}

test('a transparent source’s paletted PNG gives the map MapProxy gives, transparent pixels kept', async (t) => {
  const captures = JSON.parse(await readFile(join(DIR, 'captures.json'), 'utf8')) as Record<
    string,
    { query: string; contentType: string; image: string }
  >;
  const answers = {
    pal: await readFile(join(DIR, 'upstream.png')),
    near: await readFile(join(DIR, 'upstream-near.png')),
  };
  const upstream = await startUpstream(t, {
    '/service': (request) => (request.query.get('layers') === 'near' ? answers.near : answers.pal),
  });
  const proxy = await startProxy(t, 'palette-source-map/palette_source_map.yaml', {
    UPSTREAM_URL: upstream.url,
  });
  for (const [step, capture] of Object.entries(captures)) {
    const res = await fetch(`${proxy.url}/service?${capture.query}`);
    assert.equal(res.status, 200, step);
    assert.equal(res.headers.get('content-type'), capture.contentType, step);
    const ours = await rgba(Buffer.from(await res.arrayBuffer()));
    const theirs = await rgba(await readFile(join(DIR, capture.image)));
    assert.ok(ours.equals(theirs), `${step}: the pixels of MapProxy's map`);
  }
});
