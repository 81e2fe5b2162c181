/**
 * `link_single_color_images` names a single-colour tile's file after its colour with as many
 * values as the source's answer has as PIL opens it (MapProxy's `is_single_color_image` on the
 * meta tile cut from that answer), not after the cache's transparency: a JPEG or an RGB PNG gives
 * `rrggbb` even in a transparent cache, an RGBA PNG `rrggbbaa` even in an opaque one, and a
 * paletted PNG `rrggbbaa` only from a transparent source (PIL converts it to RGBA then), and an
 * answer partly outside its source's coverage `rrggbbaa` (pasted onto an RGBA canvas, so the tiles
 * outside are `ffffff00`) even in an opaque cache, and an RGBA PNG that is the only answer of a
 * cache's two sources `rrggbbaa` (generated differential seed 19, gen-19-02: `848f5a.png` for
 * MapProxy's `848f5aff.png`). Found by
 * the generated differential run (seed 8, gen-8-10: a JPEG cache over a transparent source, ours
 * `824c5aff.jpeg` where MapProxy wrote `824c5a.jpeg`; seed 9, gen-9-00: `ffffff.png` for
 * `ffffff00.png`). The link targets are MapProxy 1.15's,
 * captured by test/fixtures/single-color-names/capture.py.
 */
import assert from 'node:assert/strict';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const COLOUR = { r: 200, g: 100, b: 50 };

/** The upstream's answer for a layer: one colour as a JPEG, an RGB, paletted or RGBA PNG. */
function answer(request: UpstreamRequest): Promise<Buffer> {
  const width = Number(request.query.get('width'));
  const height = Number(request.query.get('height'));
  const layer = request.query.get('layers');
  const image = sharp({
    create: { width, height, channels: layer === 'rgba' ? 4 : 3, background: { ...COLOUR, alpha: 1 } },
  });
  if (layer === 'jpeg') return image.jpeg().toBuffer();
  return image.png({ palette: layer === 'pal' }).toBuffer();
}

/** The PNG colour type each layer's answer must have for the case to mean anything. */
const COLOUR_TYPES: Readonly<Record<string, number>> = { rgb: 2, pal: 3, rgba: 6 };

test('single-colour tiles link to files named with as many colour values as MapProxy names them', async (t) => {
  const captures = JSON.parse(
    await readFile(join(FIXTURES_DIR, 'single-color-names', 'captures.json'), 'utf8'),
  ) as Record<string, Record<string, string>>;
  const upstream = await startUpstream(t, {
    '/service': async (request) => {
      const body = await answer(request);
      const type = COLOUR_TYPES[request.query.get('layers') ?? ''];
      if (type !== undefined) assert.equal(body[25], type, `colour type of ${request.query.get('layers')}`);
      return body;
    },
  });
  const proxy = await startProxy(t, 'single-color-names/single_color_names.yaml', {
    UPSTREAM_URL: upstream.url,
  });
  for (const [layer, expected] of Object.entries(captures)) {
    // as capture.py asks: rgb_west's level 1 (one meta tile, half outside the coverage), else level 0
    const [tile, ext] =
      layer === 'rgb_west' ? ['1/0/0', 'png'] : ['0/0/0', layer.startsWith('jpeg') ? 'jpeg' : 'png'];
    const res = await fetch(`${proxy.url}/wmts/${layer}/GLOBAL_WEBMERCATOR/${tile}.${ext}`);
    assert.equal(res.status, 200, layer);
    await res.arrayBuffer();
    const cache = join(proxy.dir, 'cache_data', `${layer}_EPSG3857`);
    const links: Record<string, string> = {};
    for (const path of await readdir(cache, { recursive: true })) {
      if ((await lstat(join(cache, path))).isSymbolicLink()) links[path] = await readlink(join(cache, path));
    }
    assert.deepEqual(links, expected, layer);
  }
});
