/**
 * Tile creation delegated to an external renderer (`globals.renderd`, MapProxy's
 * `RenderdTileCreator`): which tile it is asked for, with which priority, and the paths that still
 * query the sources (`disable_storage`, `bulk_meta_tiles`).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { createTileGrid, GLOBAL_WEBMERCATOR, type TileCoord } from '../grid/index.js';
import { imageFromRaw, resolveImageOptions } from '../image/index.js';
import type { MapQuery, MapSource } from '../source/index.js';
import { DummyCache } from './dummy-cache.js';
import { FileCache } from './file-cache.js';
import { TileManager, type TileManagerOptions } from './tile-manager.js';
import type { TileCache, TileRenderer } from './types.js';

const WEB = createTileGrid(GLOBAL_WEBMERCATOR);

/** A true-colour PNG cache (the bytes are never decoded here). */
const PNG = resolveImageOptions({ format: 'image/png' }, { paletted: false });

/** What the renderer stores for the tile it is asked for (any bytes: the cache hands them out as they are). */
const RENDERED = Buffer.from('rendered by renderd');

interface Call {
  readonly identifier: string;
  readonly coord: TileCoord;
  readonly priority: number;
}

/** A renderer that stores the one tile it is asked for into `cache`, or fails. */
function fakeRenderer(cache: TileCache, fail?: Error): TileRenderer & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    async renderTile(identifier, coord, priority) {
      calls.push({ identifier, coord, priority });
      if (fail) throw fail;
      await cache.storeTiles([{ coord, data: RENDERED }]);
    },
  };
}

/** A source; with `tiled` a tile source on the cache's grid (bulk meta tiles need one). */
function countingSource(tiled: boolean): MapSource & { queries: MapQuery[] } {
  const queries: MapQuery[] = [];
  return {
    name: 'test',
    isTransparent: true,
    tileGrid: tiled ? WEB : null,
    queries,
    getMap(query) {
      queries.push(query);
      const data = Buffer.alloc(query.size[0] * query.size[1] * 4, 255);
      return Promise.resolve(imageFromRaw({ data, size: query.size }));
    },
  };
}

async function setup(t: TestContext, options: Partial<TileManagerOptions> & { dummy?: boolean } = {}) {
  const dir = await makeTempDir(t);
  const files = new FileCache({ directory: join(dir, 'cache'), extension: 'png', layout: 'tms' });
  const cache: TileCache = options.dummy === true ? new DummyCache() : files;
  const source = countingSource(options.bulkMetaTiles === true);
  const renderer = fakeRenderer(files);
  const manager = new TileManager({
    grid: WEB,
    cache,
    sources: [{ source }],
    imageOptions: PNG,
    identifier: 'osm_GLOBAL_WEBMERCATOR',
    metaSize: [2, 2],
    metaBuffer: 0,
    ...options,
    renderer: options.renderer ?? renderer,
  });
  return { manager, source, renderer };
}

test('a meta tile miss asks for its main tile with priority 100, then serves what was stored', async (t) => {
  const { manager, source, renderer } = await setup(t);
  // level 2, origin nw: tile (3, 3) lies in the meta tile of (2..3, 2..3), main tile (2, 2)
  const [wanted, sibling] = await manager.loadTiles([
    { x: 3, y: 3, z: 2 },
    { x: 2, y: 2, z: 2 },
  ]);
  assert.deepEqual(renderer.calls, [
    { identifier: 'osm_GLOBAL_WEBMERCATOR', coord: { x: 2, y: 2, z: 2 }, priority: 100 },
  ]);
  assert.equal(source.queries.length, 0);
  assert.equal(wanted, null); // renderd stored only the main tile
  assert.deepEqual(sibling?.data, RENDERED);
  // stored now: no second request
  await manager.loadTile({ x: 2, y: 2, z: 2 });
  assert.equal(renderer.calls.length, 1);
});

test('seeding asks with priority 10', async (t) => {
  const { manager, renderer } = await setup(t);
  await manager.loadTiles([{ x: 0, y: 0, z: 1 }], { isSeeding: true });
  assert.deepEqual(
    renderer.calls.map((c) => c.priority),
    [10],
  );
});

test('disable_storage and bulk_meta_tiles still query the sources, as MapProxy does', async (t) => {
  for (const options of [{ dummy: true }, { bulkMetaTiles: true }]) {
    const { manager, source, renderer } = await setup(t, options);
    const tile = await manager.loadTile({ x: 0, y: 0, z: 1 });
    assert.notEqual(tile, null, JSON.stringify(options));
    assert.equal(renderer.calls.length, 0, JSON.stringify(options));
    assert.ok(source.queries.length > 0, JSON.stringify(options));
  }
});

test('a renderer failure fails the request and nothing is stored', async (t) => {
  const dir = await makeTempDir(t);
  const cache = new FileCache({ directory: join(dir, 'cache'), extension: 'png', layout: 'tms' });
  const failing = fakeRenderer(cache, new Error('Error from renderd: barf'));
  const { manager, source } = await setup(t, { cache, renderer: failing });
  await assert.rejects(manager.loadTile({ x: 1, y: 1, z: 1 }), /Error from renderd: barf/);
  assert.equal(source.queries.length, 0);
  assert.equal(await cache.loadTile({ x: 1, y: 1, z: 1 }), null);
});
