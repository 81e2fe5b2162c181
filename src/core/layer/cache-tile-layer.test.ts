/** CacheTileLayer: stored bytes with format and mtime, empty tiles, out-of-grid coords, mixed caches. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { FileCache, TileManager } from '../cache/index.js';
import { createTileGrid, GLOBAL_WEBMERCATOR } from '../grid/index.js';
import type { ImageFormatOptions } from '../image/index.js';
import type { MapSource } from '../source/index.js';
import { CacheTileLayer } from './cache-tile-layer.js';

const web = createTileGrid(GLOBAL_WEBMERCATOR);
const PNG: ImageFormatOptions = {
  format: 'image/png',
  mode: 'RGBA',
  colors: 0,
  transparent: true,
  resampling: 'bicubic',
  jpegQuality: 90,
  quantizer: null,
};
const nothing: MapSource = {
  name: 'none',
  isTransparent: true,
  tileGrid: null,
  getMap: () => Promise.resolve(null),
};

test('serves stored bytes with their format and mtime, null outside the grid', async (t) => {
  const dir = await makeTempDir(t);
  const cache = new FileCache({ directory: dir, extension: 'png' });
  const layer = new CacheTileLayer({
    name: 'osm',
    gridName: 'GLOBAL_WEBMERCATOR',
    tileManager: new TileManager({ grid: web, cache, sources: [], imageOptions: PNG }),
  });
  await cache.storeTiles([{ coord: { x: 1, y: 0, z: 1 }, data: Buffer.from('png bytes') }]);
  const tile = await layer.getTile({ x: 1, y: 0, z: 1 });
  assert.ok(tile);
  assert.equal(tile.data.toString(), 'png bytes');
  assert.equal(tile.format, 'image/png');
  assert.equal(
    tile.timestampMs,
    (await cache.loadTile({ x: 1, y: 0, z: 1 }, { withMetadata: true }))?.timestampMs,
  );
  assert.equal(tile.cacheable, true);
  assert.equal(await layer.getTile({ x: 2, y: 0, z: 1 }), null);
  assert.equal(await layer.getTile({ x: 0, y: 0, z: 40 }), null);
  assert.deepEqual(
    [layer.title, layer.format, layer.extension, layer.extent],
    ['osm', 'image/png', 'png', web.bbox],
  );
});

test('where no source has data the tile is a transparent PNG of the tile size', async (t) => {
  const dir = await makeTempDir(t);
  const layer = new CacheTileLayer({
    name: 'osm',
    gridName: 'GLOBAL_WEBMERCATOR',
    tileManager: new TileManager({
      grid: web,
      cache: new FileCache({ directory: dir, extension: 'jpeg' }),
      sources: [{ source: nothing }],
      imageOptions: { ...PNG, format: 'image/jpeg', transparent: false },
    }),
  });
  const tile = await layer.getTile({ x: 0, y: 0, z: 2 });
  assert.ok(tile);
  assert.equal(tile.format, 'image/png');
  assert.equal(tile.timestampMs, null);
  const { data, info } = await sharp(tile.data).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.format, info.width, info.height], ['raw', 256, 256]);
  // MapProxy's empty tile: white with alpha 0 (PIL Image.new('RGBA', size, (255, 255, 255, 0)))
  assert.ok(data.every((byte, i) => byte === (i % 4 === 3 ? 0 : 255)));
  assert.equal((await sharp(tile.data).metadata()).format, 'png');
});

test('a mixed cache advertises png and serves each tile in its stored format', async (t) => {
  const dir = await makeTempDir(t);
  const cache = new FileCache({ directory: dir, extension: 'mixed' });
  const layer = new CacheTileLayer({
    name: 'aerial',
    gridName: 'GLOBAL_WEBMERCATOR',
    tileManager: new TileManager({
      grid: web,
      cache,
      sources: [],
      imageOptions: { ...PNG, format: 'mixed' },
    }),
  });
  await cache.storeTiles([{ coord: { x: 0, y: 0, z: 1 }, data: Buffer.from([0xff, 0xd8, 0xff, 0xe0]) }]);
  assert.equal(layer.format, 'image/png');
  assert.equal(layer.extension, 'png');
  assert.equal((await layer.getTile({ x: 0, y: 0, z: 1 }))?.format, 'image/jpeg');
});
