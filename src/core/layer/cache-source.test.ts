/** CacheSource: a cache as the source of another cache (exact tiles pass through, other areas stitch). */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { pixelAt, solidPng } from '../../../test/helpers/upstream.js';
import { FileCache, TileManager } from '../cache/index.js';
import { createTileGrid, GLOBAL_WEBMERCATOR, tileBBox } from '../grid/index.js';
import { imageFromRaw, type ImageFormatOptions } from '../image/index.js';
import type { MapQuery, MapSource } from '../source/index.js';
import { getSrs } from '../srs/index.js';
import { CacheSource } from './cache-source.js';

const web = createTileGrid(GLOBAL_WEBMERCATOR);
// stored as a truecolour PNG: re-encoding with the cache's paletted options would change the bytes
const STORED = await solidPng([1, 2, 3, 255]);
const PNG: ImageFormatOptions = {
  format: 'image/png',
  mode: 'RGBA',
  colors: 0,
  transparent: true,
  resampling: 'bicubic',
  jpegQuality: 90,
  quantizer: null,
};

function query(bbox: MapQuery['bbox'], size: MapQuery['size'], srs = 'EPSG:3857'): MapQuery {
  return {
    bbox,
    size,
    srs: getSrs(srs),
    format: 'image/png',
    transparent: true,
    dimensions: {},
    isSeeding: false,
  };
}

async function baseCache(dir: string): Promise<{ cache: FileCache; manager: TileManager }> {
  const cache = new FileCache({ directory: join(dir, 'base'), extension: 'png', layout: 'tms' });
  const manager = new TileManager({ grid: web, cache, sources: [], imageOptions: PNG });
  const left = Buffer.alloc(256 * 256 * 4);
  const right = Buffer.alloc(256 * 256 * 4);
  for (let i = 0; i < left.length; i += 4) {
    left.set([255, 0, 0, 255], i);
    right.set([0, 0, 255, 255], i);
  }
  const encode = async (data: Buffer): Promise<Buffer> =>
    (await imageFromRaw({ data, size: [256, 256] }).encode(PNG)).data;
  await cache.storeTiles([
    { coord: { x: 0, y: 0, z: 1 }, data: await encode(left) },
    { coord: { x: 1, y: 0, z: 1 }, data: await encode(right) },
    { coord: { x: 0, y: 1, z: 2 }, data: STORED },
  ]);
  return { cache, manager };
}

test('an exact tile query returns the stored bytes without decoding them', async (t) => {
  const { manager } = await baseCache(await makeTempDir(t));
  const source = new CacheSource({ name: 'base', tileManager: manager, tiledOnly: true });
  assert.equal(source.tileGrid, web);
  const image = await source.getMap(query(tileBBox(web, { x: 0, y: 1, z: 2 }), [256, 256]));
  assert.ok(image);
  assert.deepEqual((await image.encode(PNG)).data, STORED);
  assert.equal(await source.getMap(query(tileBBox(web, { x: 3, y: 3, z: 2 }), [256, 256])), null);
});

test('another area in the grid SRS is stitched from the tiles and scaled', async (t) => {
  const { manager } = await baseCache(await makeTempDir(t));
  const source = new CacheSource({ name: 'base', tileManager: manager });
  assert.equal(source.tileGrid, null);
  // the upper half of the world at level-1 resolution: two tiles side by side
  const [minx, , maxx, maxy] = web.bbox;
  const image = await source.getMap(query([minx, 0, maxx, maxy], [512, 256]));
  assert.ok(image);
  const png = (await image.encode(PNG)).data;
  assert.deepEqual(await pixelAt(png, 100, 100), [255, 0, 0, 255]);
  assert.deepEqual(await pixelAt(png, 400, 100), [0, 0, 255, 255]);
});

test('another SRS is stitched and reprojected from the tiles, as a CacheMapLayer renders it', async (t) => {
  const { manager } = await baseCache(await makeTempDir(t));
  const source = new CacheSource({ name: 'base', tileManager: manager });
  // the upper hemisphere west and east of Greenwich in EPSG:4326: level-1 tiles, red and blue
  for (const [bbox, colour] of [
    [[-170, 10, -10, 80], [255, 0, 0, 255]],
    [[10, 10, 170, 80], [0, 0, 255, 255]],
  ] as const) {
    // 227x184 pixels: level 1's resolution (78271.5 m/px) in both directions
    const image = await source.getMap(query(bbox, [227, 184], 'EPSG:4326'));
    assert.ok(image);
    assert.deepEqual(await pixelAt((await image.encode(PNG)).data, 113, 92), colour);
  }
});

test('a cache with a cache source of the same grid copies tiles one by one', async (t) => {
  const dir = await makeTempDir(t);
  const { manager: base } = await baseCache(dir);
  const source: MapSource = new CacheSource({ name: 'base', tileManager: base, tiledOnly: true });
  const copy = new FileCache({ directory: join(dir, 'copy'), extension: 'png', layout: 'tms' });
  const manager = new TileManager({ grid: web, cache: copy, sources: [{ source }], imageOptions: PNG });
  const tile = await manager.loadTile({ x: 0, y: 1, z: 2 });
  assert.deepEqual(tile?.data, STORED);
  assert.deepEqual(await readdir(join(dir, 'copy')), ['2']);
});
