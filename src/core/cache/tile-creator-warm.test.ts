/**
 * Tile creation in a cold burst (issue 13): a meta tile's encoder threads start with its upstream
 * request, so by the time the source answers the palette threads of an 8-bit PNG cache exist and
 * the first tile is not held up by a cold thread; at debug level each creation logs its steps.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { createTileGrid, GLOBAL_WEBMERCATOR } from '../grid/index.js';
import {
  closePaletteWorkers,
  imageFromRaw,
  paletteThreadCount,
  type ImageFormatOptions,
} from '../image/index.js';
import type { MapSource } from '../source/index.js';
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
