/**
 * `image: {mode: P}` does not quantise by itself, as in MapProxy (img_to_buf quantises when
 * `colors` is set; create_image draws mode P as RGB or RGBA): `colors: 0` writes a true-colour
 * PNG, while `mode: P` without `colors` gets the paletted default's 256. We quantised every mode P
 * PNG to 256 colours (seeding differential, seed 12: `{mode: P, colors: 0, transparent: true}`
 * tiles paletted where MapProxy's are RGBA, 7 of them at PSNR 34 dB). Captured by
 * test/fixtures/seed-mode-p/capture.py (mapproxy-seed over the palette tests' band image); the
 * pixels are compared, as zlib and PIL's row filters make MapProxy's true-colour bytes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import sharp from 'sharp';
import { seedLevelZero } from '../helpers/palette-seed.js';

/** The tiles MapProxy 1.15 wrote (capture.py): PNG colour type and the sha256 of their RGBA pixels. */
const MAPPROXY_TILES = {
  p0t: {
    options: '{mode: P, colors: 0, transparent: true}',
    source: 'wms',
    colorType: 6,
    pixels: 'faf2de34cfb3639559ba24fbfc1f1ec6255e0ae13de1d0d4c7238da6e173723c',
  },
  p0: {
    options: '{mode: P, colors: 0}',
    source: 'opaque',
    colorType: 6,
    pixels: 'faf2de34cfb3639559ba24fbfc1f1ec6255e0ae13de1d0d4c7238da6e173723c',
  },
  p: {
    options: '{mode: P}',
    source: 'opaque',
    colorType: 3,
    pixels: '7b56ff6af3ed4d2163bda73d3b264b17f0f44b09a502bdb99d2ab5d65b4a55dc',
  },
} as const;

test('image mode P quantises only with colors: colors 0 writes a true-colour PNG (MapProxy 1.15)', async (t) => {
  const tiles = await seedLevelZero(t, MAPPROXY_TILES);
  for (const [name, tile] of Object.entries(tiles)) {
    const expected = MAPPROXY_TILES[name as keyof typeof MAPPROXY_TILES];
    const { data } = await sharp(tile).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual(
      { colorType: tile[25], pixels: createHash('sha256').update(data).digest('hex') },
      { colorType: expected.colorType, pixels: expected.pixels },
      name,
    );
  }
});
