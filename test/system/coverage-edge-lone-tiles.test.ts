/**
 * Maps drawn from one tile of a cache whose source's coverage ends inside that tile: the tile is
 * MapProxy's SubImageSource there (transparent outside the coverage, whatever the source's
 * transparency), and MapProxy's TileMerger hands a lone tile on as it is, so the map is resampled
 * in the tile's own mode, not on the cache's mosaic canvas. The rows at the coverage's edge show
 * it (generated differential, each a row or column blended with white where MapProxy has the
 * source's colour):
 * - rgb (gen-9-00): a stored RGBA tile of a `mode: RGB` cache is resampled with its alpha
 *   (premultiplied), then made RGB: the edge keeps its colour;
 * - jpg (gen-11-10): a jpeg cache's tile just created is RGBA, its edge translucent over the
 *   source drawn below it in the same layer;
 * - gif (gen-7-02): a stored GIF tile is resampled as RGB (PIL converts mode P to its palette's
 *   mode), its transparent entry's colour blended into the edge, opaque.
 * Each map twice on a fresh cache: drawn from the tile just created, then from the stored one. The
 * maps are MapProxy 1.15's, captured by test/fixtures/coverage-edge-lone-tiles/capture.py.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const DIR = join(FIXTURES_DIR, 'coverage-edge-lone-tiles');

/** capture.py's answer: opaque red, an RGBA PNG of the requested size. */
function red(request: UpstreamRequest): Promise<Buffer> {
  return sharp({
    create: {
      width: Number(request.query.get('width')),
      height: Number(request.query.get('height')),
      channels: 4,
      background: { r: 200, g: 50, b: 50, alpha: 1 },
    },
  })
    .png()
    .toBuffer();
}

async function rgba(image: Buffer): Promise<Buffer> {
  return sharp(image).ensureAlpha().raw().toBuffer();
}

test('maps from one tile at a source coverage’s edge are resampled in the tile’s mode, as MapProxy', async (t) => {
  const captures = JSON.parse(await readFile(join(DIR, 'captures.json'), 'utf8')) as Record<
    string,
    { query: string; image: string }
  >;
  const upstream = await startUpstream(t, { '/service': red });
  const differing: string[] = [];
  for (const name of ['rgb', 'jpg', 'gif', 'png']) {
    // a fresh cache for each map: its first request creates the tile
    const proxy = await startProxy(t, 'coverage-edge-lone-tiles/coverage_edge_lone_tiles.yaml', {
      UPSTREAM_URL: upstream.url,
    });
    for (const turn of ['created', 'stored']) {
      const capture = captures[`${name}-${turn}`];
      assert.ok(capture !== undefined, `${name}-${turn}`);
      const res = await fetch(`${proxy.url}/service?${capture.query}`);
      assert.equal(res.status, 200, `${name}-${turn}`);
      const ours = await rgba(Buffer.from(await res.arrayBuffer()));
      if (!ours.equals(await rgba(await readFile(join(DIR, capture.image)))))
        differing.push(`${name}-${turn}`);
    }
  }
  assert.deepEqual(differing, []);
});
