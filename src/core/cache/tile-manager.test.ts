/**
 * TileManager over a real FileCache: hits, meta-tile creation, single-flight, locks, re-check,
 * merging, refresh_before, stale fallback, disable_storage and single-colour links.
 */
import assert from 'node:assert/strict';
import { readdir, readlink, stat, utimes, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { deferred, pixelAt } from '../../../test/helpers/upstream.js';
import {
  createTileGrid,
  GLOBAL_GEODETIC,
  GLOBAL_WEBMERCATOR,
  type TileCoord,
  type TileGrid,
} from '../grid/index.js';
import { imageFromRaw, type ImageFormatOptions, type ImageResult } from '../image/index.js';
import type { MapQuery, MapSource } from '../source/index.js';
import type { Size } from '../util/index.js';
import { DummyCache } from './dummy-cache.js';
import { FileCache } from './file-cache.js';
import { TileLocker } from './lock.js';
import { TileManager, type TileManagerOptions } from './tile-manager.js';
import type { CachedTile, TileCache } from './types.js';

const web = createTileGrid(GLOBAL_WEBMERCATOR);
const geo = createTileGrid(GLOBAL_GEODETIC);

const PNG: ImageFormatOptions = {
  format: 'image/png',
  mode: 'RGBA',
  colors: 0,
  transparent: true,
  resampling: 'bicubic',
  jpegQuality: 90,
  quantizer: null,
};

type Rgba = readonly [number, number, number, number];

function solid(size: Size, color: Rgba): ImageResult {
  const data = Buffer.alloc(size[0] * size[1] * 4);
  for (let i = 0; i < data.length; i += 4) data.set(color, i);
  return imageFromRaw({ data, size });
}

/** A source that counts calls, records queries and can be held open or made to fail. */
interface TestSource extends MapSource {
  readonly queries: MapQuery[];
  calls: number;
  /** Resolves once `n` calls have started. */
  waitForCalls(n: number): Promise<void>;
}

function testSource(
  options: {
    color?: Rgba;
    gate?: Promise<void>;
    fail?: Error;
    empty?: boolean;
    tileGrid?: TileGrid | null;
    image?: (query: MapQuery) => ImageResult;
  } = {},
): TestSource {
  const waiters: { n: number; resolve: () => void }[] = [];
  const source: TestSource = {
    name: 'test',
    isTransparent: true,
    tileGrid: options.tileGrid ?? null,
    queries: [],
    calls: 0,
    waitForCalls(n) {
      if (source.calls >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    async getMap(query) {
      source.calls++;
      source.queries.push(query);
      for (const w of waiters) if (source.calls >= w.n) w.resolve();
      if (options.gate) await options.gate;
      if (options.fail) throw options.fail;
      if (options.empty) return null;
      return options.image?.(query) ?? solid(query.size, options.color ?? [255, 0, 0, 255]);
    },
  };
  return source;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

interface Setup {
  readonly dir: string;
  readonly cacheDir: string;
  readonly lockDir: string;
  readonly cache: FileCache;
  readonly manager: TileManager;
  readonly warnings: string[];
}

async function setup(
  t: TestContext,
  options: Partial<TileManagerOptions> & { sources: TileManagerOptions['sources'] },
): Promise<Setup> {
  const dir = await makeTempDir(t);
  const cacheDir = join(dir, 'cache');
  const lockDir = join(dir, 'tile_locks');
  const cache = new FileCache({ directory: cacheDir, extension: 'png', layout: 'tms' });
  const warnings: string[] = [];
  const manager = new TileManager({
    grid: web,
    cache,
    imageOptions: PNG,
    locker: new TileLocker({ lockDir, lockCacheId: cache.lockCacheId, timeoutMs: 5000 }),
    onWarning: (message) => warnings.push(message),
    ...options,
  });
  return { dir, cacheDir, lockDir, cache, manager, warnings };
}

/** A locker that counts acquisitions. */
class CountingLocker extends TileLocker {
  acquired = 0;
  override acquire(coord: TileCoord): ReturnType<TileLocker['acquire']> {
    this.acquired++;
    return super.acquire(coord);
  }
}

/** The 16 tiles of the 4x4 meta tile at the top-left of level 3 (origin nw). */
const META_TILES: TileCoord[] = [];
for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) META_TILES.push({ x, y, z: 3 });

test('a cache hit returns the stored bytes unchanged without asking the source', async (t) => {
  const source = testSource();
  const { cache, manager } = await setup(t, { sources: [{ source }] });
  const coord = { x: 1, y: 2, z: 3 };
  await cache.storeTiles([{ coord, data: Buffer.from('stored bytes, not even an image') }]);
  const tile = await manager.loadTile(coord, { withMetadata: true });
  assert.ok(tile);
  assert.equal(tile.data.toString(), 'stored bytes, not even an image');
  assert.equal(tile.format, 'image/png');
  assert.equal(typeof tile.timestampMs, 'number');
  assert.equal(source.calls, 0);
});

test('32 concurrent requests for tiles of one meta tile make exactly one source request', async (t) => {
  const gate = deferred();
  const source = testSource({ gate: gate.promise, color: [0, 128, 255, 255] });
  const dir = await makeTempDir(t);
  const cacheDir = join(dir, 'cache');
  const cache = new FileCache({ directory: cacheDir, extension: 'png', layout: 'tms' });
  const locker = new CountingLocker({ lockDir: join(dir, 'locks'), lockCacheId: cache.lockCacheId });
  const manager = new TileManager({ grid: web, cache, sources: [{ source }], imageOptions: PNG, locker });
  const requests = Array.from({ length: 32 }, (_, i) => manager.loadTile(META_TILES[i % 16] as TileCoord));
  await source.waitForCalls(1);
  gate.resolve();
  const tiles = await Promise.all(requests);
  assert.equal(source.calls, 1);
  assert.equal(locker.acquired, 1); // one shared creation, not 32 queued on the lock
  assert.ok(tiles.every((tile) => tile !== null && tile.format === 'image/png'));
  assert.deepEqual(await pixelAt((tiles[5] as { data: Buffer }).data, 10, 10), [0, 128, 255, 255]);
  assert.equal((await listFiles(cacheDir)).length, 16);
  // the meta query: 4x4 tiles plus 80 px buffer, clipped at the grid's top-left corner
  const meta = source.queries[0];
  assert.ok(meta);
  assert.deepEqual(meta.size, [1104, 1104]);
  assert.equal(meta.srs.code, 'EPSG:3857');
  assert.equal(meta.format, 'image/png');
  assert.equal(meta.transparent, true);
});

/** A FileCache that notes every tile it is asked for, and every tile whose existence it is asked. */
class LookupCountingCache extends FileCache {
  readonly lookups: string[] = [];
  readonly existenceChecks: string[] = [];
  override loadTile(
    coord: TileCoord,
    options?: Parameters<FileCache['loadTile']>[1],
  ): Promise<CachedTile | null> {
    this.lookups.push(`${coord.z}/${coord.x}/${coord.y}`);
    return super.loadTile(coord, options);
  }
  override isCached(coord: TileCoord, dimensions?: Parameters<FileCache['isCached']>[1]): Promise<boolean> {
    this.existenceChecks.push(`${coord.z}/${coord.x}/${coord.y}`);
    return super.isCached(coord, dimensions);
  }
}

/** A FileCache whose first loadTiles call (the initial lookup) is observable. */
class SpyCache extends LookupCountingCache {
  loads = 0;
  readonly firstLoad = deferred();
  override async loadTiles(
    coords: readonly TileCoord[],
    options?: Parameters<FileCache['loadTiles']>[1],
  ): Promise<(CachedTile | null)[]> {
    const result = await super.loadTiles(coords, options);
    this.loads++;
    if (this.loads === 1) this.firstLoad.resolve();
    return result;
  }
}

test('two managers on one cache dir (two processes) create a meta tile once; the waiter checks under the lock that all its tiles exist, then reads only the one it wants, as MapProxy does', async (t) => {
  const dir = await makeTempDir(t);
  const cacheDir = join(dir, 'cache');
  const lockDir = join(dir, 'tile_locks');
  const gate = deferred();
  const sourceA = testSource({ gate: gate.promise, color: [10, 20, 30, 255] });
  const sourceB = testSource({ color: [200, 200, 200, 255] });
  const make = (cache: FileCache, source: TestSource): TileManager =>
    new TileManager({
      grid: web,
      cache,
      sources: [{ source }],
      imageOptions: PNG,
      locker: new TileLocker({ lockDir, lockCacheId: cache.lockCacheId, timeoutMs: 10_000 }),
    });
  const cacheA = new FileCache({ directory: cacheDir, extension: 'png' });
  const cacheB = new SpyCache({ directory: cacheDir, extension: 'png' });
  const a = make(cacheA, sourceA);
  const b = make(cacheB, sourceB);
  const first = a.loadTile({ x: 0, y: 0, z: 3 });
  // A holds the lock once its source is called; B then misses the cache and must wait for the lock
  await sourceA.waitForCalls(1);
  const second = b.loadTile({ x: 3, y: 3, z: 3 }, { withMetadata: true });
  await cacheB.firstLoad.promise;
  gate.resolve();
  const [tileA, tileB] = await Promise.all([first, second]);
  assert.equal(sourceA.calls + sourceB.calls, 1);
  assert.equal(sourceB.calls, 0);
  assert.equal(cacheB.loads, 2); // the initial lookup and the read after the re-check
  // under the lock: whether each of the 16 tiles exists; then one read, of the tile asked for
  assert.equal(cacheB.existenceChecks.length, 16);
  assert.deepEqual(cacheB.lookups, ['3/3/3', '3/3/3']);
  assert.deepEqual(await pixelAt((tileB as { data: Buffer }).data, 0, 0), [10, 20, 30, 255]);
  const stored = await stat(join(cacheDir, '03/000/000/003/000/000/003.png'));
  assert.equal(tileB?.timestampMs, stored.mtimeMs);
  assert.ok(tileA);
});

test('the re-check under the lock stops at the first missing tile, as MapProxy all(is_cached) does', async (t) => {
  const dir = await makeTempDir(t);
  const cache = new LookupCountingCache({ directory: join(dir, 'cache'), extension: 'png' });
  const source = testSource();
  const manager = new TileManager({
    grid: web,
    cache,
    sources: [{ source }],
    imageOptions: PNG,
    locker: new TileLocker({ lockDir: join(dir, 'tile_locks'), lockCacheId: cache.lockCacheId }),
  });
  assert.ok(await manager.loadTile({ x: 2, y: 1, z: 3 }));
  assert.equal(source.calls, 1);
  // the tile asked for, then under the lock the meta tile's first tile only (not all 16)
  assert.deepEqual(cache.lookups, ['3/2/1']);
  assert.deepEqual(cache.existenceChecks, ['3/0/0']);
  assert.equal((await listFiles(join(dir, 'cache'))).length, 16);
});

test('a creator waiting longer than the lock timeout fails with CACHE_LOCK_TIMEOUT', async (t) => {
  const source = testSource();
  const dir = await makeTempDir(t);
  const cache = new FileCache({ directory: join(dir, 'cache'), extension: 'png' });
  const lockDir = join(dir, 'locks');
  const manager = new TileManager({
    grid: web,
    cache,
    sources: [{ source }],
    imageOptions: PNG,
    locker: new TileLocker({ lockDir, lockCacheId: cache.lockCacheId, timeoutMs: 20 }),
  });
  const other = new TileLocker({ lockDir, lockCacheId: cache.lockCacheId });
  const held = await other.acquire({ x: 0, y: 0, z: 3 }); // main tile of the meta tile of (2, 1, 3)
  t.after(() => held.release());
  await assert.rejects(manager.loadTile({ x: 2, y: 1, z: 3 }), {
    name: 'CacheError',
    code: 'CACHE_LOCK_TIMEOUT',
  });
  assert.equal(source.calls, 0);
});

test('GLOBAL_GEODETIC level 0: one 256x128 request, the tile padded above the grid', async (t) => {
  const source = testSource({ color: [0, 255, 0, 255] });
  const { manager, cacheDir } = await setup(t, { grid: geo, sources: [{ source }] });
  const tile = await manager.loadTile({ x: 0, y: 0, z: 0 });
  assert.equal(source.calls, 1);
  assert.deepEqual(
    source.queries.map((q) => [q.bbox, q.size]),
    [
      [
        [-180, -90, 180, 90],
        [256, 128],
      ],
    ],
  );
  assert.ok(tile);
  // origin sw: the tile spans -90..270 degrees, so its upper half is outside the grid and filled
  // as MapProxy's TileSplitter does: white with alpha 0
  assert.deepEqual(await pixelAt(tile.data, 100, 20), [255, 255, 255, 0]);
  assert.deepEqual(await pixelAt(tile.data, 100, 200), [0, 255, 0, 255]);
  assert.deepEqual(await listFiles(cacheDir), ['0/0/0.png']);
});

test('several sources are merged bottom to top', async (t) => {
  const bottom = testSource({ color: [255, 0, 0, 255] });
  // the top source covers only the left half of each request
  const top = testSource({
    image: (query) => {
      const [w, h] = query.size;
      const data = Buffer.alloc(w * h * 4);
      for (let y = 0; y < h; y++) for (let x = 0; x < w / 2; x++) data.set([0, 0, 255, 255], (y * w + x) * 4);
      return imageFromRaw({ data, size: query.size });
    },
  });
  const { manager } = await setup(t, {
    sources: [{ source: bottom }, { source: top }],
    metaSize: [1, 1],
    metaBuffer: 0,
  });
  const tile = await manager.loadTile({ x: 5, y: 5, z: 3 });
  assert.ok(tile);
  assert.deepEqual(await pixelAt(tile.data, 10, 10), [0, 0, 255, 255]);
  assert.deepEqual(await pixelAt(tile.data, 200, 10), [255, 0, 0, 255]);
  assert.equal(bottom.calls + top.calls, 2);
});

test('a source with nothing there gives no tile and stores nothing; several empty sources store a blank tile', async (t) => {
  const empty = testSource({ empty: true });
  const one = await setup(t, { sources: [{ source: empty }] });
  assert.equal(await one.manager.loadTile({ x: 0, y: 0, z: 3 }), null);
  assert.deepEqual(await listFiles(one.cacheDir), []);

  const two = await setup(t, {
    sources: [{ source: testSource({ empty: true }) }, { source: testSource({ empty: true }) }],
  });
  const tile = await two.manager.loadTile({ x: 0, y: 0, z: 3 });
  assert.ok(tile);
  // MapProxy's blank image: white with alpha 0
  assert.deepEqual(await pixelAt(tile.data, 0, 0), [255, 255, 255, 0]);
  assert.equal((await listFiles(two.cacheDir)).length, 16);
});

test('disable_storage: every request reaches the source, without locks', async () => {
  const source = testSource();
  const manager = new TileManager({
    grid: web,
    cache: new DummyCache(),
    sources: [{ source }],
    imageOptions: PNG,
  });
  assert.ok(await manager.loadTile({ x: 0, y: 0, z: 3 }));
  assert.ok(await manager.loadTile({ x: 0, y: 0, z: 3 }));
  assert.equal(source.calls, 2);
  assert.equal(manager.runningCreations, 0);
});

async function storeOld(cache: FileCache, coord: TileCoord, data: string, mtimeMs: number): Promise<void> {
  await cache.storeTiles([{ coord, data: Buffer.from(data) }]);
  const path = cache.tilePath(coord);
  await utimes(path, mtimeMs / 1000, mtimeMs / 1000);
}

test('refresh_before: a stale tile is recreated, a fresh one is served', async (t) => {
  const now = Date.UTC(2026, 0, 10);
  const source = testSource({ color: [1, 2, 3, 255] });
  const { cache, manager } = await setup(t, {
    sources: [{ source }],
    metaSize: [1, 1],
    metaBuffer: 0,
    refreshBefore: { hours: 1 },
    now: () => now,
  });
  await storeOld(cache, { x: 0, y: 0, z: 3 }, 'two hours old', now - 2 * 3600_000);
  await storeOld(cache, { x: 1, y: 0, z: 3 }, 'ten minutes old', now - 600_000);
  const [stale, fresh] = await manager.loadTiles([
    { x: 0, y: 0, z: 3 },
    { x: 1, y: 0, z: 3 },
  ]);
  assert.equal(fresh?.data.toString(), 'ten minutes old');
  assert.ok(stale);
  assert.deepEqual(await pixelAt(stale.data, 0, 0), [1, 2, 3, 255]);
  assert.deepEqual(await pixelAt((await cache.loadTile({ x: 0, y: 0, z: 3 }))!.data, 0, 0), [1, 2, 3, 255]);
  assert.equal(source.calls, 1);
});

test('refresh_before: a stale tile is served when the source fails', async (t) => {
  const now = Date.UTC(2026, 0, 10);
  const source = testSource({ fail: new Error('upstream down') });
  const { cache, manager, warnings } = await setup(t, {
    sources: [{ source }],
    refreshBefore: { time: new Date(now - 3600_000) },
    now: () => now,
  });
  await storeOld(cache, { x: 0, y: 0, z: 3 }, 'old but better than nothing', now - 2 * 3600_000);
  const tile = await manager.loadTile({ x: 0, y: 0, z: 3 });
  assert.equal(tile?.data.toString(), 'old but better than nothing');
  assert.equal(source.calls, 1);
  assert.match(warnings.join('\n'), /serving stale tiles.*upstream down/);
});

test('a failing source writes nothing and its error propagates unchanged', async (t) => {
  const failure = new Error('upstream 500');
  const source = testSource({ fail: failure });
  const { manager, dir } = await setup(t, { sources: [{ source }] });
  await assert.rejects(manager.loadTile({ x: 0, y: 0, z: 3 }), (error) => error === failure);
  assert.deepEqual(await listFiles(join(dir, 'cache')), []);
  assert.deepEqual(await listFiles(join(dir, 'tile_locks')), []);
});

test('a failed cache write is logged and the tile is still served', async (t) => {
  const source = testSource();
  const { manager, cacheDir, warnings } = await setup(t, {
    sources: [{ source }],
    metaSize: [1, 1],
    metaBuffer: 0,
  });
  // a plain file where the level directory must go makes every write fail
  await mkdir(dirname(cacheDir), { recursive: true });
  await writeFile(cacheDir, 'in the way');
  const tile = await manager.loadTile({ x: 0, y: 0, z: 3 });
  assert.ok(tile);
  assert.equal(tile.timestampMs, null);
  assert.match(warnings.join('\n'), /could not store tiles/);
});

test('while seeding, a failed cache write is a CacheError: the tile counts as failed, not seeded', async (t) => {
  const source = testSource();
  const { manager, cacheDir } = await setup(t, { sources: [{ source }], metaSize: [1, 1], metaBuffer: 0 });
  await mkdir(dirname(cacheDir), { recursive: true });
  await writeFile(cacheDir, 'in the way');
  await assert.rejects(manager.loadTiles([{ x: 0, y: 0, z: 3 }], { isSeeding: true }), {
    code: 'CACHE_WRITE',
    message: /could not store tiles/,
  });
});

test('link_single_color_images: single-coloured created tiles become links to one file', async (t) => {
  const dir = await makeTempDir(t);
  const cache = new FileCache({
    directory: dir,
    extension: 'png',
    layout: 'tms',
    linkSingleColorImages: 'symlink',
  });
  const source = testSource({ color: [254, 0, 4, 255] });
  const manager = new TileManager({
    grid: web,
    cache,
    sources: [{ source }],
    imageOptions: PNG,
    metaSize: [2, 1],
    metaBuffer: 0,
  });
  await manager.loadTile({ x: 0, y: 0, z: 3 });
  assert.equal(await readlink(join(dir, '3/0/0.png')), '../../single_color_tiles/fe0004ff.png');
  assert.equal(await readlink(join(dir, '3/1/0.png')), '../../single_color_tiles/fe0004ff.png');
  assert.deepEqual(await listFiles(join(dir, 'single_color_tiles')), ['fe0004ff.png']);
});

test('minimize_meta_requests: one request for all missing tiles across meta tiles', async (t) => {
  const source = testSource();
  const { manager } = await setup(t, { sources: [{ source }], minimizeMetaRequests: true });
  const tiles = await manager.loadTiles([
    { x: 3, y: 3, z: 3 },
    { x: 4, y: 3, z: 3 },
  ]);
  assert.equal(source.calls, 1);
  assert.deepEqual(source.queries[0]?.size, [512 + 160, 256 + 160]);
  assert.ok(tiles.every((tile) => tile !== null));
});

test('tiled sources get single-tile requests; bulk_meta_tiles fetches the whole meta tile', async (t) => {
  const single = testSource({ tileGrid: web });
  const a = await setup(t, { sources: [{ source: single }] });
  await a.manager.loadTile({ x: 1, y: 1, z: 3 });
  assert.equal(single.calls, 1);
  assert.deepEqual(single.queries[0]?.size, [256, 256]);

  const bulk = testSource({ tileGrid: web });
  const b = await setup(t, { sources: [{ source: bulk }], bulkMetaTiles: true, metaSize: [2, 2] });
  await b.manager.loadTile({ x: 1, y: 1, z: 3 });
  assert.equal(bulk.calls, 4);
  assert.ok(bulk.queries.every((q) => q.size[0] === 256 && q.size[1] === 256));
  assert.deepEqual(await listFiles(b.cacheDir), ['3/0/0.png', '3/0/1.png', '3/1/0.png', '3/1/1.png']);
});

test('concurrent_tile_creators bounds the parallel meta-tile creations of one request', async (t) => {
  const gate = deferred();
  const source = testSource({ gate: gate.promise });
  const { manager } = await setup(t, {
    sources: [{ source }],
    concurrentTileCreators: 2,
    metaSize: [1, 1],
    metaBuffer: 0,
  });
  const pending = manager.loadTiles([
    { x: 0, y: 0, z: 3 },
    { x: 1, y: 0, z: 3 },
    { x: 2, y: 0, z: 3 },
  ]);
  await source.waitForCalls(2);
  // two creations hold their source call; the third waits for a free creator
  assert.equal(manager.runningCreations, 2);
  gate.resolve();
  assert.ok((await pending).every((tile) => tile !== null));
  assert.equal(source.calls, 3);
});

test('coords outside the grid give null without touching cache or source', async (t) => {
  const source = testSource();
  const { manager } = await setup(t, { sources: [{ source }] });
  assert.deepEqual(
    await manager.loadTiles([
      { x: 8, y: 0, z: 3 },
      { x: 0, y: 0, z: 99 },
      { x: -1, y: 0, z: 1 },
    ]),
    [null, null, null],
  );
  assert.equal(source.calls, 0);
});

test('upscale_tiles builds a missing tile from a coarser cached level when there is no source', async (t) => {
  const { cache, manager } = await setup(t, { sources: [], upscaleTiles: 2 });
  const level1 = await new TileManager({
    grid: web,
    cache: new DummyCache(),
    sources: [{ source: testSource({ color: [50, 60, 70, 255] }) }],
    imageOptions: PNG,
  }).loadTile({ x: 0, y: 0, z: 1 });
  await cache.storeTiles([{ coord: { x: 0, y: 0, z: 1 }, data: level1!.data }]);
  const tile = await manager.loadTile({ x: 1, y: 1, z: 3 });
  assert.ok(tile);
  assert.deepEqual(await pixelAt(tile.data, 128, 128), [50, 60, 70, 255]);
  assert.equal(await manager.loadTile({ x: 7, y: 7, z: 3 }), null); // no coarser tile there
});

test('mixed caches report each stored tile in its own format', async (t) => {
  const dir = await makeTempDir(t);
  const cache: TileCache = new FileCache({ directory: dir, extension: 'mixed' });
  const manager = new TileManager({
    grid: web,
    cache,
    sources: [],
    imageOptions: { ...PNG, format: 'mixed' },
  });
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]);
  await cache.storeTiles([{ coord: { x: 0, y: 0, z: 1 }, data: jpeg }]);
  assert.equal((await manager.loadTile({ x: 0, y: 0, z: 1 }))?.format, 'image/jpeg');
  assert.deepEqual(await listFiles(dir), ['01/000/000/000/000/000/000.mixed']);
});

test('a free-form source without meta tile support (the debug source) is asked tile by tile', async (t) => {
  const optedOut = Object.assign(testSource(), { supportsMetaTiles: false });
  const { manager } = await setup(t, { sources: [{ source: optedOut }] });
  const tiles = await manager.loadTiles([
    { x: 0, y: 0, z: 2 },
    { x: 1, y: 0, z: 2 },
  ]);
  assert.equal(tiles.length, 2);
  assert.equal(optedOut.calls, 2);
  assert.ok(optedOut.queries.every((q) => q.size[0] === 256 && q.size[1] === 256));
});
