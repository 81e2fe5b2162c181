/**
 * The image mode a lone layer's map is encoded in, as MapProxy 1.15's `img_to_buf` follows it:
 * an opaque cache's mosaic is an RGB image, so with the default paletted `image/png` it is
 * quantised without alpha also under TRANSPARENT=true (found by the differential run, seed 97:
 * FASTOCTREE on RGBA picks other colours, PSNR 28-34 dB); a transparent source's answer on an
 * opaque map is merged onto the background and quantised, not passed on as the upstream's RGBA
 * bytes. MapProxy's answers on test/fixtures/image-mode/mapproxy.yaml, with this upstream, are
 * captured beside it. Which layers under another are drawn follows MapProxy too: only a direct
 * WMS source's layer hides them (`is_opaque`), a cache's layer is drawn over them.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { solidPng, startUpstream, type Upstream } from '../helpers/upstream.js';

const DIR = join(FIXTURES_DIR, 'image-mode');
/** PNG colour type 3: a palette. */
const PALETTE = 3;

/**
 * The proxy on the fixture; its upstream answers each source's own PNG to every request of the
 * PNG's size (the cache's tiles, the maps below), a grey one of the size asked for otherwise.
 */
async function proxy(t: TestContext): Promise<{ url: string; upstream: Upstream }> {
  const [rgb, rgba] = await Promise.all([
    readFile(join(DIR, 'upstream-rgb.png')),
    readFile(join(DIR, 'upstream-rgba.png')),
  ]);
  const upstream = await startUpstream(t, {
    '/service': (request) => {
      const size = [Number(request.query.get('width')), Number(request.query.get('height'))] as const;
      if (request.query.get('layers') === 'rgba' && size[0] === 128 && size[1] === 128) return rgba;
      if (size[0] === 256 && size[1] === 256) return rgb;
      return solidPng([128, 128, 128, 255], size);
    },
  });
  const { url } = await startProxy(t, 'image-mode/mapproxy.yaml', { UPSTREAM_URL: upstream.url });
  return { url, upstream };
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
  const { url } = await proxy(t);
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
  const { url } = await proxy(t);
  const map = await getMap(
    url,
    'LAYERS=transparent_direct&SRS=EPSG:3857&BBOX=-10000000,-10000000,10000000,10000000&WIDTH=128&HEIGHT=128&TRANSPARENT=FALSE',
  );
  const captured = await readFile(join(DIR, 'captured-transparent-source-opaque-map.png'));
  assert.equal(map[25], PALETTE, 'a palette PNG, not the upstream RGBA one');
  assert.deepEqual(await rgbaPixels(map), await rgbaPixels(captured), "MapProxy's pixels");
});

test('layers under a cache are drawn, layers under an opaque direct WMS source are not, as in MapProxy', async (t) => {
  const { url, upstream } = await proxy(t);
  const box = 'SRS=EPSG:3857&BBOX=-15000000,-5000000,15000000,15000000&WIDTH=150&HEIGHT=100&TRANSPARENT=TRUE';
  let seen = 0;
  /** The upstream requests since the last call: layers and width. */
  const asked = (): string[] => {
    const fresh = upstream.requests.slice(seen);
    seen = upstream.requests.length;
    return fresh.map((r) => `${r.query.get('layers') ?? ''} ${r.query.get('width') ?? ''}`);
  };
  // MapProxy's is_opaque is false for a cache's layer: the source under it is still asked
  await getMap(url, `LAYERS=opaque_direct,opaque_cache&${box}`);
  assert.deepEqual(asked().sort(), ['rgb 150', 'rgb 256']);
  // an opaque WMS source (not transparent, no coverage, no resolution range) hides the cache under it
  await getMap(url, `LAYERS=opaque_cache,opaque_direct&${box}`);
  assert.deepEqual(asked(), ['rgb 150']);
});
