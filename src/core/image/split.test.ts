import assert from 'node:assert/strict';
import test from 'node:test';
import {
  createMetaGrid,
  createTileGrid,
  GLOBAL_GEODETIC,
  GLOBAL_WEBMERCATOR,
  metaTile,
} from '../grid/index.js';
import { imageFromBytes, imageFromRaw, splitImage, type ImageResult } from './index.js';
import sharp from 'sharp';

/** Colour of tile (column, row) in the test meta image; the buffer is grey. */
function tileColor(column: number, row: number): [number, number, number, number] {
  return [10 + column * 60, 10 + row * 60, 100 + column + row * 4, 255];
}

async function pixel(image: ImageResult, x: number, y: number): Promise<number[]> {
  const { data, size } = await image.raw();
  const at = (y * size[0] + x) * 4;
  return [...data.subarray(at, at + 4)];
}

/** A 4x4 metatile with an 80 px buffer: 1184x1184 px, each tile its own colour. */
function metaImage(): ImageResult {
  const size = 4 * 256 + 2 * 80;
  const data = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const column = Math.floor((x - 80) / 256);
      const row = Math.floor((y - 80) / 256);
      const inTile = x >= 80 && y >= 80 && column < 4 && row < 4;
      data.set(inTile ? tileColor(column, row) : [128, 128, 128, 255], (y * size + x) * 4);
    }
  }
  return imageFromRaw({ data, size: [size, size] });
}

test('a 4x4 metatile with an 80 px buffer splits into 16 tiles of their own colour', async () => {
  const meta = metaTile(createMetaGrid(createTileGrid(GLOBAL_WEBMERCATOR), [4, 4], 80), { x: 5, y: 6, z: 4 });
  assert.deepEqual(meta.size, [1184, 1184]);
  const image = imageFromBytes(
    await sharp((await metaImage().raw()).data, { raw: { width: 1184, height: 1184, channels: 4 } })
      .png()
      .toBuffer(),
  );
  const tiles = await splitImage(
    image,
    [256, 256],
    meta.tilePatterns.map((p) => p.offset),
  );
  assert.equal(tiles.length, 16);
  for (const [i, tile] of tiles.entries()) {
    const expected = tileColor(i % 4, Math.floor(i / 4));
    assert.deepEqual(tile.size, [256, 256]);
    for (const [x, y] of [
      [0, 0],
      [255, 0],
      [0, 255],
      [255, 255],
      [128, 77],
    ] as const) {
      assert.deepEqual(await pixel(tile, x, y), expected, `tile ${i} at ${x},${y}`);
    }
  }
});

test('a tile reaching above a clipped metatile (GLOBAL_GEODETIC level 0) is transparent outside', async () => {
  const meta = metaTile(createMetaGrid(createTileGrid(GLOBAL_GEODETIC), [4, 4], 80), { x: 0, y: 0, z: 0 });
  assert.deepEqual(meta.size, [256, 128]);
  const offsets = meta.tilePatterns.map((p) => p.offset);
  assert.deepEqual(offsets, [[0, -128]]);
  const data = Buffer.alloc(256 * 128 * 4);
  for (let i = 0; i < data.length; i += 4) data.set([0, 90, 200, 255], i);
  data.set([255, 0, 0, 255], 0); // top-left pixel of the world image
  const [tile] = await splitImage(imageFromRaw({ data, size: [256, 128] }), [256, 256], offsets);
  assert.ok(tile);
  assert.deepEqual(tile.size, [256, 256]);
  // MapProxy TileSplitter pastes onto create_image(): white with alpha 0 for transparent caches
  assert.deepEqual(await pixel(tile, 0, 0), [255, 255, 255, 0]);
  assert.deepEqual(await pixel(tile, 255, 127), [255, 255, 255, 0]);
  assert.deepEqual(await pixel(tile, 0, 128), [255, 0, 0, 255]);
  assert.deepEqual(await pixel(tile, 200, 255), [0, 90, 200, 255]);
});

test('outside parts get the opaque bgcolor when the cache is not transparent; its RGB canvas drops the pasted alpha', async () => {
  const data = Buffer.alloc(2 * 2 * 4, 7);
  const [tile] = await splitImage(imageFromRaw({ data, size: [2, 2] }), [3, 3], [[-1, 0]], {
    transparent: false,
    bgcolor: [1, 2, 3],
  });
  assert.ok(tile);
  assert.deepEqual(await pixel(tile, 0, 0), [1, 2, 3, 255]);
  // PIL's paste of an RGBA crop onto create_image's RGB canvas keeps the colour, not the alpha
  assert.deepEqual(await pixel(tile, 1, 1), [7, 7, 7, 255]);
  assert.deepEqual(await pixel(tile, 2, 2), [1, 2, 3, 255]);
});

test('a cache of mode RGB has an opaque RGB canvas also when transparent; mode RGBA keeps the pasted alpha', async () => {
  const data = Buffer.alloc(2 * 2 * 4, 7);
  const meta = (): ImageResult => imageFromRaw({ data, size: [2, 2] });
  const [rgb] = await splitImage(meta(), [3, 3], [[-1, 0]], { transparent: true, mode: 'RGB' });
  assert.ok(rgb);
  assert.deepEqual(
    [await pixel(rgb, 0, 0), await pixel(rgb, 1, 1)],
    [
      [255, 255, 255, 255],
      [7, 7, 7, 255],
    ],
  );
  const [rgba] = await splitImage(meta(), [3, 3], [[-1, 0]], { transparent: false, mode: 'RGBA' });
  assert.ok(rgba);
  assert.deepEqual(
    [await pixel(rgba, 0, 0), await pixel(rgba, 1, 1)],
    [
      [255, 255, 255, 255],
      [7, 7, 7, 7],
    ],
  );
  // a tile inside the meta image is its crop, whatever the canvas
  const [inside] = await splitImage(meta(), [1, 1], [[1, 1]], { transparent: true, mode: 'RGB' });
  assert.ok(inside);
  assert.deepEqual(await pixel(inside, 0, 0), [7, 7, 7, 7]);
});
