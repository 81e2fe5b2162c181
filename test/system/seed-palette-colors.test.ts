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
import { test } from 'node:test';
import { chunkEntries, seedLevelZero } from '../helpers/palette-seed.js';

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
  const tiles = await seedLevelZero(t, MAPPROXY_TILES);
  for (const [name, tile] of Object.entries(tiles)) {
    const expected = MAPPROXY_TILES[name as keyof typeof MAPPROXY_TILES];
    assert.deepEqual(
      { bits: tile[24], entries: chunkEntries(tile, 'PLTE') },
      { bits: expected.bits, entries: expected.entries },
      name,
    );
    assert.equal(createHash('sha256').update(tile).digest('hex'), expected.sha256, name);
  }
});
