/**
 * The 8-bit PNG tiles a seed writes are MapProxy 1.15's bytes also where every palette entry is
 * used: a tile quantised with alpha (a transparent source) carries a tRNS entry for every palette
 * entry, as Pillow saves an RGBA palette, not only up to the last translucent one. Captured from
 * `mapproxy-seed` over this file's configuration and upstream image (seeding differential, seed 3).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { seedWith } from '../helpers/palette-seed.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

/** An opaque RGBA gradient of more than 256 colours at the size asked for. */
function gradient(request: UpstreamRequest): Promise<Buffer> {
  const width = Number(request.query.get('width'));
  const height = Number(request.query.get('height'));
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = x % 256;
      data[i + 1] = y % 256;
      data[i + 2] = (x * 7 + y * 3) % 256;
      data[i + 3] = 255;
    }
  }
  return sharp(data, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

/** The tile MapProxy 1.15 wrote: sha256, and its tRNS chunk's length (one byte per palette entry). */
const MAPPROXY_TILE = {
  path: 'gradient_cache_EPSG3857/00/000/000/000/000/000/000.png',
  sha256: '746bb32de8b18404865646452204b9a631842e4ef6dfc077561de4c6a76e890f',
  trnsLength: 256,
};

/** The length of `png`'s tRNS chunk, or null without one. */
function trnsLength(png: Buffer): number | null {
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'tRNS') return length;
    at += 12 + length;
  }
  return null;
}

test('a seeded 8-bit PNG tile of a transparent source using all 256 entries has a tRNS entry for each, as MapProxy', async (t) => {
  const upstream = await startUpstream(t, { '/service': gradient });
  const dir = await makeTempDir(t, 'seed-palette-');
  await writeFile(
    join(dir, 'mapproxy.yaml'),
    `services:
  tms: {}
layers:
  - name: gradient
    title: gradient
    sources: [gradient_cache]
caches:
  gradient_cache:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [wms]
    cache:
      type: file
      directory_layout: tc
sources:
  wms:
    type: wms
    req:
      url: ${upstream.url}/service
      layers: gradient
      transparent: true
globals:
  cache:
    base_dir: cache_data/
`,
  );
  await seedWith(dir, 'seeds:\n  level0:\n    caches: [gradient_cache]\n    levels: [0]\n');
  assert.equal(upstream.requests.length, 1);
  const tile = await readFile(join(dir, 'cache_data', MAPPROXY_TILE.path));
  assert.equal(trnsLength(tile), MAPPROXY_TILE.trnsLength);
  assert.equal(createHash('sha256').update(tile).digest('hex'), MAPPROXY_TILE.sha256);
});
