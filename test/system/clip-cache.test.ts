/**
 * A cache over one source with a clipping coverage (`coverage: {clip: true}`) merges the source's
 * answer onto the cache's canvas where the coverage meets the tile, as MapProxy's TileManager
 * (cache/tile.py _query_sources, LayerMerger): an opaque cache's tile is white outside the coverage
 * and under the source's transparent pixels, a transparent cache's (255, 255, 255, 0). We stored
 * the clipped answer as it was, (0, 0, 0, 0) there: black in PNG or JPEG tiles of an opaque cache
 * and in JPEG tiles of a transparent one, and a `format: mixed` tile stored as PNG with alpha where
 * MapProxy stores a JPEG (seeding differential, seed 11: 5 tiles at PSNR 7 dB; seed 13: a JPEG
 * tile at 4.3 dB). Captured by
 * test/fixtures/clip-cache/capture.py (mapproxy-seed over the palette tests' band image).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import sharp from 'sharp';
import { seedLevelZero } from '../helpers/palette-seed.js';

/** The tiles MapProxy 1.15 wrote (capture.py): sha256, and the top-left and bottom-right pixels. */
const MAPPROXY_TILES = {
  // the palette's white is FASTOCTREE's 254
  clip_png: {
    format: 'image/png',
    sha256: '97221cfca04232b80283afdefc5c55c596ee781731b5a1d89fdb0d2e45fb4ab1',
    corner: [254, 254, 254, 255],
  },
  clip_jpeg: {
    format: 'image/jpeg',
    sha256: 'dc1bd24a47879b5a3aa3a1b5e5f52104c72b8181a20a8aa9bd2a464d8abe3d39',
    corner: [255, 255, 255, 255],
  },
  // transparent caches: the clipped answer drawn onto (255, 255, 255, 0), also alone
  clip_png_t: {
    format: 'image/png',
    options: '{transparent: true}',
    sha256: '54b7cb4cba4e155be467bedaa5268e4277e6eeccd9529e59eeed134e3ed28c0e',
    corner: [255, 255, 255, 0],
  },
  clip_jpeg_t: {
    format: 'image/jpeg',
    options: '{transparent: true}',
    sha256: 'dc1bd24a47879b5a3aa3a1b5e5f52104c72b8181a20a8aa9bd2a464d8abe3d39',
    corner: [255, 255, 255, 255],
  },
} as const;

test("a lone clipped source's tile is drawn on the cache's canvas: white (transparent white) outside the coverage, MapProxy's bytes (MapProxy 1.15)", async (t) => {
  const tiles = await seedLevelZero(
    t,
    Object.fromEntries(
      Object.entries(MAPPROXY_TILES).map(([name, tile]) => [
        name,
        { source: 'clipped', options: 'options' in tile ? tile.options : '{}', format: tile.format } as const,
      ]),
    ),
  );
  for (const [name, tile] of Object.entries(tiles)) {
    const expected = MAPPROXY_TILES[name as keyof typeof MAPPROXY_TILES];
    const { data } = await sharp(tile).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    // top left: outside the coverage; bottom right: the upstream's transparent quarter
    const pixel = (x: number, y: number): number[] => [
      ...data.subarray((y * 256 + x) * 4, (y * 256 + x) * 4 + 4),
    ];
    assert.deepEqual([pixel(0, 0), pixel(255, 255)], [expected.corner, expected.corner], name);
    assert.equal(createHash('sha256').update(tile).digest('hex'), expected.sha256, name);
  }
});
