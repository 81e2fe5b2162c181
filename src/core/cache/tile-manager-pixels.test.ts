/**
 * Which creations keep a meta tile's decoded pixels for drawing: maps do, tile services
 * (`bytesOnly`) do not, and either way a created tile's pixels and bytes are the same.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { createTileGrid, GLOBAL_WEBMERCATOR } from '../grid/index.js';
import { imageFromBytes, imageFromRaw, type ImageFormatOptions, type ImageResult } from '../image/index.js';
import type { MapSource } from '../source/index.js';
import type { Size } from '../util/index.js';
import { FileCache } from './file-cache.js';
import { TileManager, type LoadTilesOptions, type TileManagerOptions } from './tile-manager.js';

const web = createTileGrid(GLOBAL_WEBMERCATOR);

/** An 8-bit PNG cache: its meta tiles are cut and encoded on a palette thread. */
const PNG8: ImageFormatOptions = {
  format: 'image/png',
  mode: 'P',
  colors: 256,
  transparent: true,
  resampling: 'bicubic',
  jpegQuality: 90,
  quantizer: null,
};

/** A gradient with alpha, as PNG bytes, so that every tile differs. */
async function gradientPng(size: Size): Promise<Buffer> {
  const [width, height] = size;
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data.set([x % 256, y % 256, (x + y) % 256, 128 + (x % 128)], (y * width + x) * 4);
    }
  }
  const { data: png } = await imageFromRaw({ data, size }).encode({ ...PNG8, mode: 'RGBA', colors: 0 });
  return png;
}

/** A source answering one PNG meta image; `decodes` counts how often its pixels are asked for. */
function pngSource(png: Buffer): MapSource & { decodes: number } {
  const source = {
    name: 'test',
    isTransparent: true,
    tileGrid: null,
    decodes: 0,
    getMap(): Promise<ImageResult> {
      const image = imageFromBytes(png);
      const decode = image.raw.bind(image);
      // the image stays the encoded bytes it was (the thread decodes those); only raw() is counted
      image.raw = () => {
        source.decodes++;
        return decode();
      };
      return Promise.resolve(image);
    },
  };
  return source;
}

/** A TMS file cache of 8-bit PNGs in a new directory, and a manager with 2x2 meta tiles over it. */
async function png8Manager(t: TestContext, source: MapSource, options: Partial<TileManagerOptions> = {}) {
  const cache = new FileCache({
    directory: join(await makeTempDir(t), 'cache'),
    extension: 'png',
    layout: 'tms',
  });
  const manager = new TileManager({
    grid: web,
    cache,
    sources: [{ source }],
    imageOptions: PNG8,
    metaSize: [2, 2],
    metaBuffer: 0,
    ...options,
  });
  return { cache, manager };
}

async function createdTile(t: TestContext, png: Buffer, options: LoadTilesOptions) {
  const source = pngSource(png);
  const { manager } = await png8Manager(t, source);
  const tile = await manager.loadTile({ x: 1, y: 0, z: 1 }, options);
  assert.ok(tile?.isCreated === true && tile.image !== undefined, 'a created tile with its image');
  const pixels = (await tile.image.raw()).data;
  return { source, tile, pixels };
}

test('a map keeps the meta tile pixels the thread decoded; a tile service keeps none and decodes again', async (t) => {
  const png = await gradientPng([512, 512]);
  const map = await createdTile(t, png, {});
  const service = await createdTile(t, png, { withMetadata: true, bytesOnly: true });
  // the map's tiles are cut from the pixels the thread sent back: the source image is not decoded
  assert.equal(map.source.decodes, 0);
  // the tile service's creation got no pixels: asking for them decodes the meta image here
  assert.equal(service.source.decodes, 1);
  // either way the same tile, pixel for pixel and byte for byte
  assert.ok(service.pixels.equals(map.pixels), 'same pixels');
  assert.ok(service.tile.data.equals(map.tile.data), 'same PNG bytes');
});

/** `cache` with its `loadTiles` calls counted (the seed's lookups and any read-back). */
function countingReads(cache: FileCache): { reads: number } {
  const counter = { reads: 0 };
  const load = cache.loadTiles.bind(cache);
  cache.loadTiles = (...args) => {
    counter.reads++;
    return load(...args);
  };
  return counter;
}

test('a seed that reads none of its tiles (storesOnly) stores the same bytes and reads none back', async (t) => {
  const png = await gradientPng([512, 512]);
  const meta = [
    { x: 0, y: 0, z: 1 },
    { x: 1, y: 0, z: 1 },
    { x: 0, y: 1, z: 1 },
    { x: 1, y: 1, z: 1 },
  ];
  const managers = await Promise.all([0, 1].map(() => png8Manager(t, pngSource(png))));
  const [served, seeded] = managers as [(typeof managers)[0], (typeof managers)[0]];
  const want = await served.manager.loadTiles(meta, {});
  const counter = countingReads(seeded.cache);
  // two seeded meta tiles one after the other: the second reuses the PNG buffer the first gave back
  for (const run of [0, 1]) {
    if (run === 1) for (const coord of meta) await seeded.cache.removeTile(coord);
    counter.reads = 0;
    const answer = await seeded.manager.loadTiles([meta[1] as (typeof meta)[0]], {
      isSeeding: true,
      storesOnly: true,
    });
    // the creation lent its PNGs and answered 'stored': nothing comes back, nothing is read back
    assert.deepEqual(answer, [null], `run ${String(run)}: no tile in the answer`);
    assert.equal(counter.reads, 1, `run ${String(run)}: the lookup only, no read-back`);
    for (const [i, coord] of meta.entries()) {
      const stored = await seeded.cache.loadTile(coord);
      assert.ok(stored?.data.equals(want[i]?.data as Buffer), `run ${String(run)}: stored tile ${String(i)}`);
    }
  }
});

test('a seed with upscale_tiles builds a tile its source has nothing for from a coarser level it creates', async (t) => {
  const png = await gradientPng([512, 512]);
  const coarse = pngSource(png);
  // the source has something at level 1 only (a 2x2 meta tile there spans the whole world)
  const source: MapSource = {
    ...coarse,
    getMap: (query) => (query.bbox[2] - query.bbox[0] > 3e7 ? coarse.getMap(query) : Promise.resolve(null)),
  };
  const { cache, manager } = await png8Manager(t, source, { upscaleTiles: 2, cacheRescaledTiles: true });

  const [tile] = await manager.loadTiles([{ x: 1, y: 1, z: 3 }], { isSeeding: true, storesOnly: true });
  // the level-1 meta tile was created for the rescaler, which drew the level-3 tile from it
  assert.ok(tile !== null && tile !== undefined, 'the level-3 tile, upscaled');
  assert.ok(await cache.loadTile({ x: 0, y: 0, z: 1 }), 'the level-1 tile it was drawn from, stored');
  assert.ok(
    (await cache.loadTile({ x: 1, y: 1, z: 3 }))?.data.equals(tile.data),
    'the rescaled tile, stored',
  );
});
