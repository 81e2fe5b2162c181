/**
 * The redis cache against a real redis-server: MapProxy 1.15's key layout and values (pinned from
 * a capture of `mapproxy-seed` into Redis), expiry, auth, and a Redis that is down or goes away.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { startRedis, freePort, type RunningRedis } from '../../../test/helpers/redis-server.js';
import { needs } from '../../../test/helpers/system-programs.js';
import { createTileGrid, GLOBAL_WEBMERCATOR } from '../grid/index.js';
import { imageFromRaw, resolveImageOptions } from '../image/index.js';
import type { MapSource } from '../source/index.js';
import { RedisCache, redisLockCacheId, redisTileKey } from './redis-cache.js';
import { TileManager } from './tile-manager.js';

// the options a `format: image/png` cache resolves to
const PNG = resolveImageOptions({ format: 'image/png' });

/**
 * What MapProxy 1.15.1 wrote (`mapproxy-seed` levels 0-1 of cache `red_cache` on GLOBAL_WEBMERCATOR,
 * no `prefix`, no `default_ttl`, a WMS answering solid rgb(200, 30, 40)): every key of the database,
 * each holding this paletted PNG, each with a PTTL just under 3600000 ms.
 */
const MAPPROXY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAQAAAAEACAMAAABrrFhUAAADAFBMVEXIHigAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' +
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' +
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' +
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' +
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' +
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' +
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' +
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' +
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' +
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' +
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' +
    'AAAAAAAAAAAAAAAAAAAAAABP+imVAAAAVElEQVR4Ae3BAQEAAACAkP6v7ggCAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' +
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAGgEPAAHrI3lXAAAAAElFTkSuQmCC',
  'base64',
);
const MAPPROXY_KEYS: readonly string[] = [
  'red_cache_GLOBAL_WEBMERCATOR-0-0-0',
  'red_cache_GLOBAL_WEBMERCATOR-1-0-0',
  'red_cache_GLOBAL_WEBMERCATOR-1-0-1',
  'red_cache_GLOBAL_WEBMERCATOR-1-1-0',
  'red_cache_GLOBAL_WEBMERCATOR-1-1-1',
];

/** A client for looking at the database directly, closed after the test. */
function rawClient(t: TestContext, redis: RunningRedis): Redis {
  const client = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
  t.after(() => {
    client.disconnect();
  });
  return client;
}

function newCache(
  t: TestContext,
  redis: { host: string; port: number },
  options: Partial<ConstructorParameters<typeof RedisCache>[0]> = {},
): RedisCache {
  const cache = new RedisCache({
    host: redis.host,
    port: redis.port,
    prefix: 'red_cache_GLOBAL_WEBMERCATOR',
    ttlSeconds: 3600,
    ...options,
  });
  t.after(() => cache.close());
  return cache;
}

test("keys are MapProxy's: <prefix>-<z>-<x>-<y>, and the lock id is md5(host port prefix db)", () => {
  assert.equal(redisTileKey('osm_GLOBAL_WEBMERCATOR', { x: 5, y: 6, z: 3 }), 'osm_GLOBAL_WEBMERCATOR-3-5-6');
  // python3 -c "hashlib.md5(('127.0.0.1'+'6379'+'red_cache_GLOBAL_WEBMERCATOR'+'0').encode())"
  assert.equal(
    redisLockCacheId('127.0.0.1', 6379, 'red_cache_GLOBAL_WEBMERCATOR', 0),
    'redis-c89f56e9780fd983c61bb387add2d2dd',
  );
});

test(
  "stores, loads, checks and removes tiles with MapProxy's expiry",
  { skip: needs('redis-server') },
  async (t) => {
    const redis = await startRedis(t);
    const raw = rawClient(t, redis);
    const cache = newCache(t, redis, { ttlSeconds: 60 });
    const forever = newCache(t, redis, { prefix: 'forever', ttlSeconds: 0 });
    const a = { x: 1, y: 0, z: 1 };
    assert.deepEqual(await cache.loadTiles([a]), [null]);
    await cache.storeTiles([{ coord: a, data: Buffer.from('tile a') }]);
    await forever.storeTiles([{ coord: a, data: Buffer.from('kept') }]);

    const [loaded] = await cache.loadTiles([a, { x: 0, y: 0, z: 1 }]);
    assert.deepEqual(loaded, { coord: a, data: Buffer.from('tile a'), timestampMs: null, sizeBytes: 6 });
    assert.equal(await cache.isCached(a), true);
    assert.equal(await cache.tileTimestamp({ x: 0, y: 0, z: 1 }), null);
    const ttl = await raw.pttl('red_cache_GLOBAL_WEBMERCATOR-1-1-0');
    assert.ok(ttl > 55_000 && ttl <= 60_000, `pttl ${String(ttl)}`);
    assert.equal(await raw.pttl('forever-1-1-0'), -1);

    await cache.removeTile(a);
    assert.equal(await cache.isCached(a), false);
    assert.deepEqual(await raw.keys('*'), ['forever-1-1-0']);
  },
);

test(
  'serves the tiles MapProxy 1.15 wrote, and writes the keys, values and expiry MapProxy wrote',
  { skip: needs('redis-server') },
  async (t) => {
    const redis = await startRedis(t);
    const raw = rawClient(t, redis);
    const coordOf = (key: string): { x: number; y: number; z: number } => {
      const [z, x, y] = key.split('-').slice(-3).map(Number) as [number, number, number];
      return { x, y, z };
    };
    // 1. MapProxy's database, restored key by key
    for (const key of MAPPROXY_KEYS) await raw.set(key, MAPPROXY_PNG);
    const cache = newCache(t, redis);
    for (const key of MAPPROXY_KEYS)
      assert.deepEqual((await cache.loadTile(coordOf(key)))?.data, MAPPROXY_PNG, key);
    // 2. the same tiles written by us land under the same keys with the same bytes and expiry
    await raw.flushdb();
    await cache.storeTiles(MAPPROXY_KEYS.map((key) => ({ coord: coordOf(key), data: MAPPROXY_PNG })));
    assert.deepEqual((await raw.keys('*')).sort(), [...MAPPROXY_KEYS]);
    for (const key of MAPPROXY_KEYS) {
      assert.deepEqual(await raw.getBuffer(key), MAPPROXY_PNG, key);
      const ttl = await raw.pttl(key);
      assert.ok(ttl > 3_590_000 && ttl <= 3_600_000, `${key} pttl ${String(ttl)}`);
    }
  },
);

test(
  'authenticates with a password, and with username and password',
  { skip: needs('redis-server') },
  async (t) => {
    const redis = await startRedis(t, {
      args: ['--requirepass', 's3cret', '--user', 'tiles', 'on', '>t1les', '~*', '&*', '+@all'],
    });
    const coord = { x: 0, y: 0, z: 0 };
    const withPassword = newCache(t, redis, { password: 's3cret' });
    await withPassword.storeTiles([{ coord, data: Buffer.from('secret tile') }]);
    const asUser = newCache(t, redis, { username: 'tiles', password: 't1les' });
    assert.deepEqual((await asUser.loadTile(coord))?.data, Buffer.from('secret tile'));
    // a wrong password reads as a miss and refuses writes, like a Redis that is down
    const wrong = newCache(t, redis, { password: 'wrong' });
    assert.equal(await wrong.loadTile(coord), null);
    await assert.rejects(wrong.storeTiles([{ coord, data: Buffer.from('x') }]), { code: 'CACHE_WRITE' });
  },
);

test('a Redis that is down reads as a miss and refuses writes at once', async (t) => {
  const port = await freePort(); // nothing listens there
  const cache = newCache(t, { host: '127.0.0.1', port });
  const coord = { x: 0, y: 0, z: 0 };
  assert.deepEqual(await cache.loadTiles([coord]), [null]);
  assert.equal(await cache.isCached(coord), false);
  await assert.rejects(cache.storeTiles([{ coord, data: Buffer.from('x') }]), { code: 'CACHE_WRITE' });
});

/** A source of opaque tiles that counts its calls. */
function countingSource(): MapSource & { calls: number } {
  const source = {
    name: 'counting',
    isTransparent: false,
    tileGrid: null,
    calls: 0,
    getMap: (query: { size: readonly [number, number] }) => {
      source.calls += 1;
      return Promise.resolve(
        imageFromRaw({ data: Buffer.alloc(query.size[0] * query.size[1] * 4, 200), size: query.size }),
      );
    },
  };
  return source;
}

test(
  'with Redis gone tiles come from the source unstored, and are stored again once it is back',
  { skip: needs('redis-server') },
  async (t) => {
    const redis = await startRedis(t);
    const source = countingSource();
    const warnings: string[] = [];
    const cache = newCache(t, redis, { retryDelayMs: 0 });
    const manager = new TileManager({
      grid: createTileGrid(GLOBAL_WEBMERCATOR),
      cache,
      sources: [{ source }],
      imageOptions: PNG,
      metaSize: [1, 1],
      metaBuffer: 0,
      onWarning: (message) => warnings.push(message),
    });
    const coord = { x: 0, y: 0, z: 1 };
    // 1. up: created once, then a hit
    assert.ok((await manager.loadTile(coord)) !== null);
    assert.ok((await manager.loadTile(coord)) !== null);
    assert.equal(source.calls, 1);
    // 2. down: every request reaches the source, is served, and the failed write is a warning
    await redis.stop();
    for (let i = 0; i < 2; i++) {
      const tile = await manager.loadTile(coord);
      assert.ok(tile !== null && tile.data.length > 0);
    }
    assert.equal(source.calls, 3);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0] ?? '', /could not store tiles/);
    // 3. back (same port): the connection is opened again and the tile is stored
    const again = await startRedis(t, { port: redis.port });
    await manager.loadTile(coord);
    await manager.loadTile(coord);
    assert.equal(source.calls, 4);
    assert.equal((await again.command('EXISTS red_cache_GLOBAL_WEBMERCATOR-1-0-0')).trim(), ':1');
  },
);
