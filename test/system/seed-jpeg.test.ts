/**
 * Seeded JPEG tiles are MapProxy's bytes: PIL writes a JFIF header (version 1.01, no density
 * unit, 1:1) and libjpeg's standard Huffman tables (no optimize), with the same libjpeg-turbo
 * quantisation and 4:2:0 chroma subsampling as sharp. Captured by
 * test/fixtures/seed-jpeg/capture.py (mapproxy-seed over the palette tests' band image; seeding
 * differential, seed 8: 160 JPEG tiles pixel-equal, not byte-identical, ours ~40% of the size of
 * a flat tile).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { seedLevelZero } from '../helpers/palette-seed.js';

/** The tiles MapProxy 1.15 wrote (capture.py): sha256 and size. */
const MAPPROXY_TILES = {
  q90: {
    options: '{}',
    sha256: 'bf58a77d0ee400ce6f7c69b31a310295c5d0b71bd07af74d05ab6b1ee886b862',
    size: 6428,
  },
  q75: {
    options: '{encoding_options: {jpeg_quality: 75}}',
    sha256: '8c018b5584ef1d5a201951245e3a265b151f52c777b22c453d32dc584c525b3e',
    size: 5290,
  },
} as const;

/** PIL's JFIF APP0 segment (capture.py's first bytes after the SOI marker). */
const JFIF = 'ffe000104a46494600010100000100010000';

test('seeded JPEG tiles are byte-identical to MapProxy 1.15 (JFIF header, standard Huffman tables)', async (t) => {
  const tiles = await seedLevelZero(
    t,
    Object.fromEntries(
      Object.entries(MAPPROXY_TILES).map(([name, { options }]) => [
        name,
        { source: 'opaque', options, format: 'image/jpeg' } as const,
      ]),
    ),
  );
  for (const [name, tile] of Object.entries(tiles)) {
    const expected = MAPPROXY_TILES[name as keyof typeof MAPPROXY_TILES];
    assert.equal(tile.subarray(2, 2 + JFIF.length / 2).toString('hex'), JFIF, name);
    assert.deepEqual(
      { size: tile.length, sha256: createHash('sha256').update(tile).digest('hex') },
      { size: expected.size, sha256: expected.sha256 },
      name,
    );
  }
});
