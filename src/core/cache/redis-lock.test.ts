/**
 * Redis tile leases against a real redis-server: exclusive, renewed while held, freed only by
 * their holder, taken over once a dead holder's lease expires, and never fatal when Redis is down.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { freePort, startRedis, type RunningRedis } from '../../../test/helpers/redis-server.js';
import { needs } from '../../../test/helpers/system-programs.js';
import { deferred } from '../../../test/helpers/upstream.js';
import { RedisConnection } from './redis-connection.js';
import { RedisTileLocker, type RedisTileLockerOptions } from './redis-lock.js';

const coord = { x: 4, y: 0, z: 3 };

function locker(
  t: TestContext,
  port: number,
  options: Partial<RedisTileLockerOptions> = {},
): RedisTileLocker {
  const connection = new RedisConnection({ host: '127.0.0.1', port });
  t.after(() => connection.close());
  return new RedisTileLocker({ connection, lockCacheId: 'redis-test', timeoutMs: 5000, ...options });
}

async function value(redis: RunningRedis, key: string): Promise<string> {
  return (await redis.command(`GET ${key}`)).split('\r\n')[1] ?? '';
}

test(
  'a lease is exclusive: the second taker waits until the holder releases it',
  { skip: needs('redis-server') },
  async (t) => {
    const redis = await startRedis(t);
    const [a, b] = [locker(t, redis.port), locker(t, redis.port)];
    assert.equal(a.lockKey(coord), 'mapproxy-ts-tile-lock:redis-test-4-0-3');
    const events: string[] = [];
    const held = await a.acquire(coord);
    events.push('a');
    const waiting = b.acquire(coord).then((lock) => {
      events.push('b');
      return lock;
    });
    // b cannot have it while a holds it: its attempt has been refused at least once
    assert.notEqual(await value(redis, a.lockKey(coord)), '');
    events.push('release a');
    await held.release();
    const second = await waiting;
    assert.deepEqual(events, ['a', 'release a', 'b']);
    await second.release();
    assert.equal((await redis.command(`EXISTS ${a.lockKey(coord)}`)).trim(), ':0');
  },
);

test(
  'the holder renews its lease: a waiter times out although the lease is shorter',
  { skip: needs('redis-server') },
  async (t) => {
    const redis = await startRedis(t);
    // renewed every 333 ms: a stall of the holder's event loop up to ~600 ms on a loaded machine
    // still renews in time (a 300 ms lease, renewed every 100 ms, was lost to any stall over 200 ms)
    const holder = locker(t, redis.port, { leaseMs: 1000 });
    const waiter = locker(t, redis.port, { leaseMs: 1000, timeoutMs: 2500 });
    const held = await holder.acquire(coord);
    await assert.rejects(waiter.acquire(coord), { code: 'CACHE_LOCK_TIMEOUT' });
    await held.release();
  },
);

test(
  "a dead holder's lease expires and is taken over; the old holder cannot free the new lease",
  { skip: needs('redis-server') },
  async (t) => {
    const redis = await startRedis(t);
    const compromised: Error[] = [];
    const old = locker(t, redis.port, { leaseMs: 300, onCompromised: (error) => compromised.push(error) });
    const taker = locker(t, redis.port, { leaseMs: 5000 });
    const key = old.lockKey(coord);
    // 1. a holder that died: its lease (someone else's token) is left to expire
    assert.equal((await redis.command(`SET ${key} dead-holder PX 300`)).trim(), '+OK');
    const start = performance.now();
    const taken = await taker.acquire(coord);
    assert.ok(performance.now() - start >= 200, 'taken over only after the lease expired');
    const token = await value(redis, key);
    assert.match(token, /^[0-9a-f]{32}$/);
    // 2. a holder whose lease was taken over releases nothing it does not own
    const stale = await old.acquire({ ...coord, x: 8 });
    await redis.command(`SET ${old.lockKey({ ...coord, x: 8 })} someone-else PX 5000`);
    await stale.release();
    assert.equal(await value(redis, old.lockKey({ ...coord, x: 8 })), 'someone-else');
    await taken.release();
    assert.equal((await redis.command(`EXISTS ${key}`)).trim(), ':0');
  },
);

test(
  'a holder learns that its lease was taken over at its next renewal',
  { skip: needs('redis-server') },
  async (t) => {
    const redis = await startRedis(t);
    const lost = deferred<Error>();
    const holder = locker(t, redis.port, {
      leaseMs: 300,
      onCompromised: (error) => {
        lost.resolve(error);
      },
    });
    const held = await holder.acquire(coord);
    await redis.command(`SET ${holder.lockKey(coord)} someone-else PX 5000`);
    const error = await lost.promise;
    assert.equal((error as Error & { code?: string }).code, 'CACHE_LOCK');
    await held.release();
    assert.equal(await value(redis, holder.lockKey(coord)), 'someone-else');
  },
);

test('with Redis down the tile is created unlocked instead of failing', async (t) => {
  const port = await freePort(); // nothing listens there
  const lock = await locker(t, port).acquire(coord);
  assert.equal(lock.path, 'mapproxy-ts-tile-lock:redis-test-4-0-3');
  await lock.release();
});
