/**
 * A tile reaching past its meta image (level 0 of GLOBAL_GEODETIC: the grid ends at 90° north, the
 * tile at 270°) is the meta image's crop pasted on the cache's canvas, as MapProxy's TileSplitter
 * (create_image): RGB for a cache of mode RGB, also a transparent one, and for an opaque cache
 * without a mode, where the paste drops the crop's alpha (the upstream's transparent quarter is
 * black); RGBA otherwise. We filled a transparent cache of mode RGB with transparent white and kept
 * the crop's alpha on RGB canvases: a band MapProxy stores white and opaque was transparent, and
 * the tile an RGBA PNG where MapProxy's is RGB (generated differential gen-16-05, 7.2 dB).
 * Captured by test/fixtures/meta-edge-canvas/capture.py (mapproxy-seed over the band image).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import sharp from 'sharp';
import { chunkEntries, seedLevelZero } from '../helpers/palette-seed.js';

const WHITE = [255, 255, 255, 255];
const GREEN = [30, 160, 60, 255];
const BLACK = [0, 0, 0, 255];

/**
 * MapProxy 1.15's tiles (capture.py): the PNG colour type (2 RGB, 3 paletted, 6 RGBA), the canvas
 * (top left), a band (bottom left) and the upstream's transparent quarter (bottom right); the
 * paletted ones byte for byte (true-colour PNGs are compressed otherwise by PIL's zlib).
 */
const MAPPROXY_TILES = {
  rgb_t: {
    options: '{mode: RGB, colors: 0, transparent: true}',
    colourType: 2,
    pixels: [WHITE, GREEN, BLACK],
  },
  rgb_o: {
    options: '{mode: RGB, colors: 0}',
    source: 'opaque',
    colourType: 2,
    pixels: [WHITE, GREEN, BLACK],
  },
  plain_o: {
    options: '{colors: 0}',
    source: 'opaque',
    colourType: 2,
    pixels: [WHITE, GREEN, BLACK],
  },
  // paletted: the white is FASTOCTREE's 254
  palette_o: {
    options: '{}',
    source: 'opaque',
    sha256: 'e516f083bf4431bc9a55d9ed584e475b8b6ae93aa1579f643c54406236d33b23',
    colourType: 3,
    pixels: [[254, 254, 254, 255], GREEN, BLACK],
  },
  rgb_t64: {
    options: '{mode: RGB, colors: 64, transparent: true}',
    sha256: '61b63d8c23ef8a9041261e289847df2393a8293a135ce8f6653ac93cf770e4e9',
    colourType: 3,
    pixels: [[254, 254, 254, 255], GREEN, BLACK],
  },
  // RGBA canvases keep the crop's alpha
  plain_t: {
    options: '{colors: 0, transparent: true}',
    colourType: 6,
    pixels: [[255, 255, 255, 0], GREEN, [0, 0, 0, 0]],
  },
  rgba_o: {
    options: '{mode: RGBA, colors: 0, transparent: false}',
    source: 'opaque',
    colourType: 6,
    pixels: [WHITE, GREEN, [0, 0, 0, 0]],
  },
} as const;

test("a tile reaching past its meta image is pasted on the cache's canvas: RGB for mode RGB and opaque caches, as MapProxy 1.15's tiles", async (t) => {
  const tiles = await seedLevelZero(
    t,
    Object.fromEntries(
      Object.entries(MAPPROXY_TILES).map(([name, tile]) => [
        name,
        { source: 'source' in tile ? tile.source : 'wms', options: tile.options } as const,
      ]),
    ),
    'GLOBAL_GEODETIC',
  );
  for (const [name, tile] of Object.entries(tiles)) {
    const expected = MAPPROXY_TILES[name as keyof typeof MAPPROXY_TILES];
    const { data } = await sharp(tile).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number): number[] => [
      ...data.subarray((y * 256 + x) * 4, (y * 256 + x) * 4 + 4),
    ];
    assert.deepEqual([pixel(10, 10), pixel(10, 250), pixel(250, 250)], expected.pixels, name);
    // IHDR's colour type; a paletted tile of an RGB canvas has no tRNS chunk
    assert.equal(tile[25], expected.colourType, `${name}: PNG colour type`);
    if (expected.colourType === 3) assert.equal(chunkEntries(tile, 'tRNS'), 0, `${name}: tRNS entries`);
    if ('sha256' in expected)
      assert.equal(createHash('sha256').update(tile).digest('hex'), expected.sha256, name);
  }
});
