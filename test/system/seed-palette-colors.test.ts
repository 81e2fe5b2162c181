/**
 * Seeded 8-bit PNG tiles of caches with `image: colors` below 256 are MapProxy 1.15's bytes:
 * Pillow keeps `colors` entries of an RGBA palette and its PNG writer counts their bytes by 3
 * (16 colours with alpha: 21 entries), and packs the indices of a palette of up to 16 entries
 * in 4, 2 or 1 bits; median cut keeps all 256 entries. Captured by
 * test/fixtures/seed-palette-colors/capture.py (`mapproxy-seed` over the same upstream image;
 * seeding differential, seed 8: `image: {mode: RGBA, colors: 16}`).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runSeed } from '../../src/core/index.js';
import { bands } from '../helpers/band-upstream.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { startUpstream } from '../helpers/upstream.js';

/** The tiles MapProxy 1.15 wrote (capture.py): sha256, IHDR bit depth, PLTE entries. */
const MAPPROXY_TILES = {
  rgba16: {
    options: '{mode: RGBA, colors: 16, transparent: true}',
    sha256: '5e643a7f87916e0432535243696b26a313c9a0ee3dc3474d5ca0f4a9d59c9d99',
    bits: 8,
    entries: 21,
  },
  rgba8: {
    options: '{mode: RGBA, colors: 8, transparent: true}',
    sha256: 'be68d064f27f477755c86fcdf68cfb96498797e541e7ac6001e42023a4b8b21d',
    bits: 4,
    entries: 10,
  },
  rgb4: {
    options: '{mode: RGB, colors: 4, transparent: false}',
    sha256: '14a4bf5ce690863f0a70fbbe5b18c6663d47fd090ec0c387b5aae66a6d2eeaba',
    bits: 2,
    entries: 4,
  },
  // median cut (convert('P', palette=ADAPTIVE)) keeps Pillow's whole palette
  rgb8median: {
    options: '{mode: RGB, colors: 8, transparent: false, encoding_options: {quantizer: mediancut}}',
    sha256: 'cb4c6966f654de877174176db49dd8a36f47dc07029c1fa5949e00ab32e4a3d9',
    bits: 8,
    entries: 256,
  },
} as const;

test('seeded PNG tiles with image colors below 256 have the palette length and bit depth MapProxy writes', async (t) => {
  const upstream = await startUpstream(t, { '/service': bands });
  const dir = await makeTempDir(t, 'seed-palette-colors-');
  const names = Object.keys(MAPPROXY_TILES) as (keyof typeof MAPPROXY_TILES)[];
  await writeFile(
    join(dir, 'mapproxy.yaml'),
    `services:
  tms: {}
layers:
${names.map((name) => `  - {name: ${name}, title: ${name}, sources: [${name}]}`).join('\n')}
caches:
${names
  .map(
    (name) => `  ${name}:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [wms]
    cache: {type: file, directory_layout: tms}
    image: ${MAPPROXY_TILES[name].options}`,
  )
  .join('\n')}
sources:
  wms:
    type: wms
    req: {url: ${upstream.url}/service, layers: bands, transparent: true}
globals:
  cache: {base_dir: cache_data/}
`,
  );
  await writeFile(
    join(dir, 'seed.yaml'),
    `seeds:\n  level0:\n    caches: [${names.join(', ')}]\n    levels: [0]\n`,
  );
  const result = await runSeed({
    proxyConfigFile: join(dir, 'mapproxy.yaml'),
    seedConfigFile: join(dir, 'seed.yaml'),
    concurrency: 1,
    retries: 0,
  });
  assert.equal(result.status, 'done');
  for (const name of names) {
    const tile = await readFile(join(dir, 'cache_data', `${name}_EPSG3857`, '0', '0', '0.png'));
    const plte = tile.indexOf('PLTE', 8, 'latin1');
    const expected = MAPPROXY_TILES[name];
    assert.deepEqual(
      { bits: tile[24], entries: tile.readUInt32BE(plte - 4) / 3 },
      { bits: expected.bits, entries: expected.entries },
      name,
    );
    assert.equal(createHash('sha256').update(tile).digest('hex'), expected.sha256, name);
  }
});
