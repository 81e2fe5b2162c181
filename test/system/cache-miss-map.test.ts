/**
 * A WMS map drawn while its tiles are created uses the tile images still in memory (lossless, before
 * the cache's JPEG or 8-bit PNG encoding), a map of stored tiles the decoded stored bytes: pinned
 * with MapProxy 1.15's answers on test/fixtures/cache-miss-map/miss-map.yaml (see capture.py there).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { psnr } from '../differential/compare.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const DIR = join(FIXTURES_DIR, 'cache-miss-map');

/** The capture's WMS: blocks.png (8x8 blocks of random colours) repeated to the requested size. */
async function blocksWms(): Promise<(request: UpstreamRequest) => Promise<Buffer>> {
  const pattern = await sharp(await readFile(join(DIR, 'blocks.png')))
    .ensureAlpha()
    .raw()
    .toBuffer();
  return (request) => {
    const width = Number(request.query.get('width'));
    const height = Number(request.query.get('height'));
    const data = Buffer.alloc(width * height * 4);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x += 256) {
        const from = (y % 256) * 256 * 4;
        pattern.copy(data, (y * width + x) * 4, from, from + Math.min(256, width - x) * 4);
      }
    return sharp(data, { raw: { width, height, channels: 4 } })
      .png()
      .toBuffer();
  };
}

async function rgba(png: Buffer): Promise<Buffer> {
  return sharp(png).ensureAlpha().raw().toBuffer();
}

const WMS = '/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&STYLES=&FORMAT=image/png';
const TILE = '&SRS=EPSG:3857&BBOX=0,0,20037508.342789244,20037508.342789244&WIDTH=256&HEIGHT=256';
const META = '&SRS=EPSG:3857&BBOX=0,0,20037508.342789244,20037508.342789244&WIDTH=512&HEIGHT=512';
const REPROJ = '&SRS=EPSG:4326&BBOX=-170,-60,170,75&WIDTH=340&HEIGHT=180';

// layer, bbox, and the PSNR ours must reach against MapProxy's answer: the tile-aligned maps show
// the tiles' pixels unchanged, the reprojected ones go through our resampling
const CASES = [
  { layer: 'jpeg', box: TILE, minDb: 50, what: 'one JPEG tile' },
  { layer: 'mixed', box: TILE, minDb: 50, what: 'one tile of a mixed cache, stored as JPEG' },
  { layer: 'jpeg_meta', box: META, minDb: 50, what: 'a 2x2 JPEG meta tile' },
  { layer: 'jpeg_reproj', box: REPROJ, minDb: 35, what: 'JPEG tiles, reprojected' },
  { layer: 'png8', box: REPROJ, minDb: 35, what: '256-colour PNG tiles (a meta tile), reprojected' },
  { layer: 'jpeg_mbtiles', box: TILE, minDb: 50, what: 'one JPEG tile in an MBTiles cache' },
] as const;

for (const { layer, box, minDb, what } of CASES) {
  test(`a map of ${what}: the images in memory when created, the stored bytes when cached`, async (t) => {
    const upstream = await startUpstream(t, { '/wms': await blocksWms() });
    const proxy = await startProxy(t, 'cache-miss-map/miss-map.yaml', { UPSTREAM_URL: upstream.url });
    const answers: Record<string, Buffer> = {};
    for (const step of ['miss', 'hit'] as const) {
      const before = upstream.requests.length;
      const res = await fetch(`${proxy.url}${WMS}&LAYERS=${layer}${box}`);
      assert.equal(res.status, 200, step);
      assert.equal(res.headers.get('content-type'), 'image/png', step);
      if (step === 'hit') assert.equal(upstream.requests.length, before, 'the second map reads the cache');
      const ours = await rgba(Buffer.from(await res.arrayBuffer()));
      const theirs = await rgba(await readFile(join(DIR, `${layer}-${step}.png`)));
      assert.equal(ours.length, theirs.length, step);
      const db = psnr(ours, theirs);
      assert.ok(db >= minDb, `${step}: PSNR ${db.toFixed(1)} dB against MapProxy's ${layer}-${step}.png`);
      answers[step] = ours;
    }
    // MapProxy's two answers differ by the cache's encoding (25-27 dB): the test tells them apart
    assert.ok(psnr(answers.miss!, answers.hit!) < 30, 'miss and hit maps differ');
  });
}
