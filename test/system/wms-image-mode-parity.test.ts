/**
 * The image mode a lone layer's map is encoded in, as MapProxy 1.15's `img_to_buf` follows it:
 * an opaque cache's mosaic is an RGB image, so with the default paletted `image/png` it is
 * quantised without alpha also under TRANSPARENT=true (found by the differential run, seed 97:
 * FASTOCTREE on RGBA picks other colours, PSNR 28-34 dB); a transparent source's answer on an
 * opaque map is merged onto the background and quantised, not passed on as the upstream's RGBA
 * bytes. MapProxy's answers on test/fixtures/image-mode/mapproxy.yaml, with this upstream, are
 * captured beside it.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

const DIR = join(FIXTURES_DIR, 'image-mode');
/** PNG colour type 3: a palette. */
const PALETTE = 3;

/** The proxy on the fixture, its upstream answering each source's own PNG to every request. */
async function proxy(t: TestContext): Promise<string> {
  const [rgb, rgba] = await Promise.all([
    readFile(join(DIR, 'upstream-rgb.png')),
    readFile(join(DIR, 'upstream-rgba.png')),
  ]);
  const upstream = await startUpstream(t, {
    '/service': (request) => (request.query.get('layers') === 'rgba' ? rgba : rgb),
  });
  return (await startProxy(t, 'image-mode/mapproxy.yaml', { UPSTREAM_URL: upstream.url })).url;
}

async function getMap(url: string, query: string): Promise<Buffer> {
  const res = await fetch(
    `${url}/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&STYLES=&FORMAT=image%2Fpng&${query}`,
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  return Buffer.from(await res.arrayBuffer());
}

async function rgbaPixels(png: Buffer): Promise<Buffer> {
  return sharp(png).ensureAlpha().raw().toBuffer();
}

test("an opaque cache's map under TRANSPARENT=true is quantised from RGB, as MapProxy's", async (t) => {
  const url = await proxy(t);
  const box =
    'LAYERS=opaque_cache&SRS=EPSG:3857&BBOX=-15000000,-5000000,15000000,15000000&WIDTH=150&HEIGHT=100';
  const transparent = await getMap(url, `${box}&TRANSPARENT=TRUE`);
  const opaque = await getMap(url, `${box}&TRANSPARENT=FALSE`);
  const captured = await readFile(join(DIR, 'captured-opaque-cache-transparent.png'));
  assert.equal(transparent[25], PALETTE);
  assert.deepEqual(await rgbaPixels(transparent), await rgbaPixels(captured), "MapProxy's pixels");
  // MapProxy's two answers are the same image: TRANSPARENT changes nothing for an RGB mosaic
  assert.deepEqual(opaque, transparent);
});

test("a transparent source's answer on an opaque map is quantised, not passed on in RGBA", async (t) => {
  const url = await proxy(t);
  const map = await getMap(
    url,
    'LAYERS=transparent_direct&SRS=EPSG:3857&BBOX=-10000000,-10000000,10000000,10000000&WIDTH=128&HEIGHT=128&TRANSPARENT=FALSE',
  );
  const captured = await readFile(join(DIR, 'captured-transparent-source-opaque-map.png'));
  assert.equal(map[25], PALETTE, 'a palette PNG, not the upstream RGBA one');
  assert.deepEqual(await rgbaPixels(map), await rgbaPixels(captured), "MapProxy's pixels");
});
