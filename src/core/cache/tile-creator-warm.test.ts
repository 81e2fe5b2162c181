/**
 * Meta tiles of an 8-bit PNG cache (issue 13): the encoder threads start with the upstream request,
 * so the first tile of a cold burst is not held up by a cold thread; the thread that cuts and encodes
 * the tiles decodes the answer too (the source checks only its header); at debug level each
 * creation logs its steps.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { noisyPng } from '../../../test/helpers/upstream.js';
import { createTileGrid, GLOBAL_WEBMERCATOR } from '../grid/index.js';
import {
  closePaletteWorkers,
  imageFromBytes,
  imageFromRaw,
  loadImage,
  paletteThreadCount,
  type ImageFormatOptions,
} from '../image/index.js';
import { SourceError, type GetMapOptions, type MapSource } from '../source/index.js';
import { configureLogging, onLog, type LogRecord } from '../util/index.js';
import { FileCache } from './file-cache.js';
import { TileLocker } from './lock.js';
import { TileManager } from './tile-manager.js';

const EIGHT_BIT_PNG: ImageFormatOptions = {
  format: 'image/png',
  mode: 'P',
  colors: 256,
  transparent: false,
  resampling: 'bicubic',
  jpegQuality: 90,
  quantizer: null,
};

test.after(() => closePaletteWorkers());

/** A source that notes how many palette threads exist when it is asked for a map. */
function threadCountingSource(seen: number[]): MapSource {
  return {
    name: 'counting',
    isTransparent: false,
    tileGrid: null,
    getMap(query) {
      seen.push(paletteThreadCount());
      const [width, height] = query.size;
      const data = Buffer.alloc(width * height * 4);
      // a gradient, so every tile has real colours to quantise
      for (let i = 0; i < data.length; i += 4) data.set([(i >> 2) % 251, (i >> 10) % 241, 90, 255], i);
      return Promise.resolve(imageFromRaw({ data, size: query.size }));
    },
  };
}

test('creating a meta tile of an 8-bit PNG cache starts the palette threads before the source answers', async (t) => {
  await closePaletteWorkers();
  assert.equal(paletteThreadCount(), 0);
  const seen: number[] = [];
  const manager = new TileManager({
    grid: createTileGrid(GLOBAL_WEBMERCATOR),
    cache: new FileCache({ directory: await makeTempDir(t), extension: 'png' }),
    sources: [{ source: threadCountingSource(seen) }],
    imageOptions: EIGHT_BIT_PNG,
    metaSize: [2, 2],
    metaBuffer: 0,
  });
  const tiles = await manager.loadTiles([
    { x: 0, y: 0, z: 1 },
    { x: 1, y: 1, z: 1 },
  ]);
  assert.equal(seen.length, 1);
  assert.ok((seen[0] ?? 0) >= 1, `palette threads when the source was asked: ${String(seen[0])}`);
  for (const tile of tiles) assert.equal(tile?.data.readUInt8(25), 3, 'colour type 3: a paletted PNG');
});

test('a 24-bit PNG cache starts no palette threads', async (t) => {
  await closePaletteWorkers();
  const seen: number[] = [];
  const manager = new TileManager({
    grid: createTileGrid(GLOBAL_WEBMERCATOR),
    cache: new FileCache({ directory: await makeTempDir(t), extension: 'png' }),
    sources: [{ source: threadCountingSource(seen) }],
    imageOptions: { ...EIGHT_BIT_PNG, mode: 'RGB', colors: 0 },
    metaSize: [2, 2],
    metaBuffer: 0,
  });
  const tile = await manager.loadTile({ x: 0, y: 0, z: 1 });
  assert.deepEqual(seen, [0]);
  assert.equal(paletteThreadCount(), 0);
  assert.equal(tile?.data.readUInt8(25), 2, 'colour type 2: a truecolour PNG');
});

test('at debug level a creation logs how long each of its steps took', async (t) => {
  configureLogging({ stdout: false, levels: { 'mapproxy.cache.tile': 'debug' } });
  t.after(() => {
    configureLogging({ stdout: false });
  });
  const records: LogRecord[] = [];
  t.after(onLog((record) => records.push(record)));
  const dir = await makeTempDir(t);
  const cache = new FileCache({ directory: dir, extension: 'png' });
  const manager = new TileManager({
    grid: createTileGrid(GLOBAL_WEBMERCATOR),
    cache,
    sources: [{ source: threadCountingSource([]) }],
    imageOptions: EIGHT_BIT_PNG,
    metaSize: [2, 2],
    metaBuffer: 0,
    locker: new TileLocker({ lockDir: `${dir}/locks`, lockCacheId: cache.lockCacheId }),
    identifier: 'osm_cache_webmercator',
  });
  await manager.loadTile({ x: 1, y: 0, z: 1 });
  const created = records.filter((r) => r.name === 'mapproxy.cache.tile' && r.message.includes(': created '));
  assert.equal(created.length, 1);
  assert.match(
    created[0]?.message ?? '',
    /^osm_cache_webmercator: created meta:1\/0\/0: lock \d+ ms, re-check \(missing\) \d+ ms, sources \d+ ms, decode and split \d+ ms, encode 4 tiles \d+ ms, store \d+ ms, unlock \d+ ms$/,
  );
});

/**
 * A source answering `png` as a WMS source does: decoded and checked at once, or with `decodeLater`
 * only its header checked, a failed decode then becoming `SOURCE_NOT_IMAGE`. Notes each call's option.
 */
function pngSource(png: Buffer, asked: (boolean | undefined)[]): MapSource {
  return {
    name: 'png',
    isTransparent: false,
    tileGrid: null,
    getMap(_query, options: GetMapOptions = {}) {
      asked.push(options.decodeLater);
      if (options.decodeLater !== true) return loadImage(png, 'image/png');
      const unchecked = (error: Error) =>
        new SourceError(`invalid image: ${error.message}`, 'SOURCE_NOT_IMAGE', { sourceName: 'png', cause: error });
      return Promise.resolve(imageFromBytes(png, 'image/png', { unchecked }));
    },
  };
}

async function manager(t: TestContext, source: MapSource, imageOptions: ImageFormatOptions) {
  const directory = await makeTempDir(t);
  const tiles = new TileManager({
    grid: createTileGrid(GLOBAL_WEBMERCATOR),
    cache: new FileCache({ directory, extension: 'png' }),
    sources: [{ source }],
    imageOptions,
    metaSize: [2, 2],
    metaBuffer: 0,
  });
  return { tiles, directory };
}

const LEVEL_1 = [
  { x: 0, y: 0, z: 1 },
  { x: 1, y: 0, z: 1 },
  { x: 0, y: 1, z: 1 },
  { x: 1, y: 1, z: 1 },
];

test('an 8-bit PNG meta tile leaves the decode to the palette thread and stores the same tiles', async (t) => {
  const png = await noisyPng([512, 512]);
  const asked: (boolean | undefined)[] = [];
  const later = await manager(t, pngSource(png, asked), EIGHT_BIT_PNG);
  const created = await later.tiles.loadTiles(LEVEL_1);
  assert.deepEqual(asked, [true]);
  // the same tiles as from an answer the source decoded itself (a source that ignores the option)
  const eagerSource = pngSource(png, []);
  const eager = await manager(t, { ...eagerSource, getMap: (q) => eagerSource.getMap(q) }, EIGHT_BIT_PNG);
  const expected = await eager.tiles.loadTiles(LEVEL_1);
  assert.equal(created.length, 4);
  for (const [i, tile] of created.entries()) {
    assert.equal(tile?.data.readUInt8(25), 3, 'colour type 3: a paletted PNG');
    assert.deepEqual(tile.data, expected[i]?.data);
  }
});

test('a truncated meta tile answer fails with the source error and stores nothing', async (t) => {
  const png = await noisyPng([512, 512]);
  const asked: (boolean | undefined)[] = [];
  const { tiles, directory } = await manager(t, pngSource(png.subarray(0, png.length >> 1), asked), EIGHT_BIT_PNG);
  await assert.rejects(tiles.loadTiles(LEVEL_1), { name: 'SourceError', code: 'SOURCE_NOT_IMAGE' });
  assert.deepEqual(asked, [true]);
  const files = await readdir(directory, { recursive: true });
  assert.deepEqual(
    files.filter((f) => f.endsWith('.png')),
    [],
  );
});

test('a cache whose tiles are not cut on a palette thread has its source decode the answer', async (t) => {
  const png = await noisyPng([512, 512]);
  const asked: (boolean | undefined)[] = [];
  const { tiles, directory } = await manager(t, pngSource(png, asked), { ...EIGHT_BIT_PNG, mode: 'RGB', colors: 0 });
  const created = await tiles.loadTiles(LEVEL_1);
  assert.deepEqual(asked, [false]);
  assert.equal(created[0]?.data.readUInt8(25), 2, 'colour type 2: a truecolour PNG');
  const files = (await readdir(directory, { recursive: true })).filter((f) => f.endsWith('.png'));
  assert.equal(files.length, 4);
  assert.ok((await readFile(`${directory}/${files[0] ?? ''}`)).length > 0);
});
