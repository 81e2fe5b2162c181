/** TileLocker: MapProxy lock names, waiting, timeouts and stale-lock recovery on a real directory. */
import assert from 'node:assert/strict';
import { mkdir, readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { watchedDirectoryCount } from '../util/index.js';
import { TileLocker } from './lock.js';

const coord = { x: 4, y: 0, z: 2 };

test('a lock lives in tile_lock_dir as <id>-<x>-<y>-<z>.lck and is gone after release', async (t) => {
  const dir = await makeTempDir(t);
  const lockDir = join(dir, 'tile_locks');
  const locker = new TileLocker({ lockDir, lockCacheId: 'abc' });
  const lock = await locker.acquire(coord);
  assert.equal(lock.path, join(lockDir, 'abc-4-0-2.lck'));
  // beside it, the owner record a waiter on this host reads when the holder may have died
  assert.deepEqual((await readdir(lockDir)).sort(), ['abc-4-0-2.lck', 'abc-4-0-2.lck.owner']);
  await lock.release();
  assert.deepEqual(await readdir(lockDir), []);
  assert.deepEqual(await readdir(dir), ['tile_locks']);
});

test('a second locker waits until the first releases', async (t) => {
  const lockDir = await makeTempDir(t);
  const first = new TileLocker({ lockDir, lockCacheId: 'abc' });
  const second = new TileLocker({ lockDir, lockCacheId: 'abc', timeoutMs: 5000 });
  const events: string[] = [];
  const held = await first.acquire(coord);
  const waiting = second.acquire(coord).then((lock) => {
    events.push('second acquired');
    return lock;
  });
  // let the waiter fail its first attempts before releasing
  await new Promise<void>((resolve) => setImmediate(resolve));
  events.push('first releasing');
  await held.release();
  const lock = await waiting;
  await lock.release();
  assert.deepEqual(events, ['first releasing', 'second acquired']);
});

test('a waiter takes the lock when the holder removes it, not at its next poll', async (t) => {
  const lockDir = await makeTempDir(t);
  const holder = new TileLocker({ lockDir, lockCacheId: 'abc' });
  // an hour between polls: only the lock dir's change notice can hand the lock over in time
  const waiter = new TileLocker({ lockDir, lockCacheId: 'abc', pollMs: [3_600_000, 3_600_000] });
  const held = await holder.acquire(coord);
  const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const waiting = waiter.acquire(coord);
  // release only once the waiter sleeps (its hour-long poll timer exists) and watches the lock
  // dir: counted over turns of the event loop, nothing waits on a clock
  while (watchedDirectoryCount() === 0 || timers() === before) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await held.release();
  const lock = await waiting;
  assert.equal(lock.path, waiter.lockPath(coord));
  await lock.release();
  assert.equal(watchedDirectoryCount(), 0);
});

test('locks of other tiles or other caches do not block', async (t) => {
  const lockDir = await makeTempDir(t);
  const a = new TileLocker({ lockDir, lockCacheId: 'a', timeoutMs: 0 });
  const b = new TileLocker({ lockDir, lockCacheId: 'b', timeoutMs: 0 });
  const locks = await Promise.all([a.acquire(coord), a.acquire({ x: 0, y: 0, z: 2 }), b.acquire(coord)]);
  assert.equal((await readdir(lockDir)).filter((entry) => entry.endsWith('.lck')).length, 3);
  await Promise.all(locks.map((l) => l.release()));
});

test('gives up with CACHE_LOCK_TIMEOUT after the timeout', async (t) => {
  const lockDir = await makeTempDir(t);
  const holder = new TileLocker({ lockDir, lockCacheId: 'abc' });
  const waiter = new TileLocker({ lockDir, lockCacheId: 'abc', timeoutMs: 30 });
  const held = await holder.acquire(coord);
  t.after(() => held.release());
  await assert.rejects(waiter.acquire(coord), { name: 'CacheError', code: 'CACHE_LOCK_TIMEOUT' });
  await assert.rejects(
    waiter.withLock(coord, () => Promise.resolve('never')),
    { code: 'CACHE_LOCK_TIMEOUT' },
  );
});

test('takes over a stale lock left by a crashed process', async (t) => {
  const lockDir = await makeTempDir(t);
  const locker = new TileLocker({ lockDir, lockCacheId: 'abc', timeoutMs: 0, lockStaleMs: 5000 });
  const crashed = locker.lockPath(coord);
  await mkdir(crashed);
  const hourAgo = new Date(Date.now() - 3600_000);
  await utimes(crashed, hourAgo, hourAgo);
  const lock = await locker.acquire(coord);
  await lock.release();
  assert.deepEqual(await readdir(lockDir), []);
});

test('a fresh lock of another holder is not taken over', async (t) => {
  const lockDir = await makeTempDir(t);
  const locker = new TileLocker({ lockDir, lockCacheId: 'abc', timeoutMs: 0, lockStaleMs: 5000 });
  await mkdir(locker.lockPath(coord));
  await assert.rejects(locker.acquire(coord), { code: 'CACHE_LOCK_TIMEOUT' });
});

test('withLock releases the lock when the work fails', async (t) => {
  const lockDir = await makeTempDir(t);
  const locker = new TileLocker({ lockDir, lockCacheId: 'abc', timeoutMs: 0 });
  await assert.rejects(
    locker.withLock(coord, () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.deepEqual(await readdir(lockDir), []);
  assert.equal(await locker.withLock(coord, () => Promise.resolve(42)), 42);
});
