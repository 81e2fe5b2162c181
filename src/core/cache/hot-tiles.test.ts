import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HotTiles } from './hot-tiles.js';
import type { Freshness } from '../util/index.js';
import type { TileResult } from './types.js';

const tile = (bytes: number, x = 0): TileResult => ({
  coord: { x, y: 0, z: 0 },
  data: Buffer.alloc(bytes, x),
  format: 'image/png',
  timestampMs: 1000,
  cacheable: true,
});

test('stays within its byte bound, dropping the least recently used tiles first', () => {
  const hot = new HotTiles({ maxBytes: 250, ttlMs: 60_000 });
  hot.set('a', tile(100, 1));
  hot.set('b', tile(100, 2));
  assert.equal(hot.lookup('a')?.tile.data[0], 1); // a is now more recent than b
  hot.set('c', tile(100, 3));
  assert.equal(hot.bytes, 200);
  assert.ok(hot.bytes <= hot.maxBytes);
  assert.equal(hot.lookup('b'), undefined, 'the least recently used tile went');
  assert.deepEqual([hot.lookup('a')?.tile.data[0], hot.lookup('c')?.tile.data[0]], [1, 3]);
});

test('replacing a key counts its bytes once; a tile larger than the bound is not kept', () => {
  const hot = new HotTiles({ maxBytes: 250, ttlMs: 60_000 });
  hot.set('a', tile(100));
  hot.set('a', tile(120));
  assert.deepEqual([hot.size, hot.bytes], [1, 120]);
  hot.set('big', tile(251));
  assert.equal(hot.lookup('big'), undefined);
  assert.deepEqual([hot.size, hot.bytes], [1, 120]);
  hot.delete('a');
  assert.deepEqual([hot.size, hot.bytes], [0, 0]);
});

test('a tile is fresh for the TTL, then must be checked; renew trusts it for another TTL', () => {
  let now = 0;
  const hot = new HotTiles({ maxBytes: 1000, ttlMs: 1000, now: () => now, scheduleRechecks: startAtOnce });
  hot.set('a', tile(10));
  now = 999;
  assert.equal(hot.lookup('a')?.isFresh, true);
  now = 1000;
  assert.equal(hot.lookup('a')?.isFresh, false);
  hot.renew('a');
  now = 1999;
  assert.equal(hot.lookup('a')?.isFresh, true);
  now = 2000;
  assert.equal(hot.lookup('a')?.isFresh, false);
});

test('a budget of 0 keeps nothing', () => {
  const hot = new HotTiles({ maxBytes: 0, ttlMs: 1000 });
  hot.set('a', tile(1));
  assert.deepEqual([hot.size, hot.bytes, hot.lookup('a')], [0, 0, undefined]);
});

test('a tile that is a view into a larger buffer is kept as a copy of its own bytes', () => {
  const hot = new HotTiles({ maxBytes: 1000, ttlMs: 1000 });
  const shared = Buffer.alloc(4096, 7);
  hot.set('a', { ...tile(0), data: shared.subarray(10, 20) });
  const kept = hot.lookup('a');
  assert.ok(kept !== undefined);
  assert.equal(kept.tile.data.buffer.byteLength, 10);
  assert.deepEqual([...kept.tile.data], Array(10).fill(7));
  const own = tile(10);
  hot.set('b', own);
  assert.equal(hot.lookup('b')?.tile, own, 'a buffer of its own is kept as it is');
});

test("a lookup's freshness holds while its entry stands and is young: not after the TTL, a replacement, a drop or a clear", () => {
  let now = 0;
  const hot = new HotTiles({ maxBytes: 1000, ttlMs: 1000, now: () => now, scheduleRechecks: startAtOnce });
  const freshness = (key: string) => {
    const found = hot.lookup(key);
    assert.ok(found !== undefined, key);
    return found.freshness;
  };
  hot.set('a', tile(10));
  const a = freshness('a');
  assert.equal(a.isFresh(), true);
  now = 999;
  assert.equal(a.isFresh(), true);
  now = 1000;
  assert.equal(a.isFresh(), false, 'past the TTL');
  const renewed = hot.renew('a');
  assert.equal(renewed, a, 'a renewal keeps the entry: its tile was found unchanged');
  assert.equal(a.isFresh(), true, 'responses built from it are right again');
  hot.set('a', tile(10));
  assert.equal(renewed.isFresh(), false, 'replaced');
  const replaced = freshness('a');
  hot.delete('a');
  assert.equal(replaced.isFresh(), false, 'dropped');
  hot.set('b', tile(10));
  const b = freshness('b');
  hot.clear();
  assert.deepEqual([b.isFresh(), hot.size, hot.bytes], [false, 0, 0], 'cleared');
});

test('a fresh entry used through its freshness counts as recently used; an evicted one is not fresh', () => {
  const hot = new HotTiles({ maxBytes: 250, ttlMs: 60_000 });
  hot.set('a', tile(100, 1));
  const a = hot.lookup('a')?.freshness;
  hot.set('b', tile(100, 2));
  const b = hot.lookup('b')?.freshness;
  assert.equal(a?.isFresh(), true); // a is now more recent than b
  hot.set('c', tile(100, 3));
  assert.deepEqual([a.isFresh(), b?.isFresh()], [true, false], 'b, the least recently used, went');
});

/** A recheck the test settles by hand, counting its calls. */
function manualRecheck() {
  const pending: ((unchanged: boolean) => void)[] = [];
  return {
    recheck: () => new Promise<boolean>((resolve) => pending.push(resolve)),
    get calls() {
      return pending.length;
    },
    settle: (unchanged: boolean) => pending.at(-1)?.(unchanged),
  };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

/** Starts due rechecks as they come, without waiting for others. */
const startAtOnce = (startWaiting: () => void): void => {
  startWaiting();
};

test('an entry used in the last quarter of its TTL is rechecked once in the background and, unchanged, trusted a TTL from the check', async () => {
  let now = 0;
  const hot = new HotTiles({ maxBytes: 1000, ttlMs: 1000, now: () => now, scheduleRechecks: startAtOnce });
  const check = manualRecheck();
  hot.set('a', tile(10), check.recheck);
  const a = hot.lookup('a')?.freshness;
  now = 749;
  assert.equal(a?.isFresh(), true);
  assert.equal(check.calls, 0, 'not before the last quarter of the TTL');
  now = 750;
  assert.equal(a.isFresh(), true, 'still served while the check runs');
  assert.equal(hot.lookup('a')?.isFresh, true);
  now = 800;
  assert.equal(a.isFresh(), true);
  assert.equal(check.calls, 1, 'one check at a time');
  check.settle(true);
  await settled();
  now = 1749;
  assert.equal(a.isFresh(), true, 'trusted until 1000 ms after the check started (750)');
  assert.equal(check.calls, 2, 'and checked again in the last quarter of that');
  now = 1750;
  assert.equal(a.isFresh(), false, 'the second check did not answer: expired as without it');
});

test('a background recheck that finds the tile changed, or fails, drops the entry', async () => {
  let now = 0;
  const hot = new HotTiles({ maxBytes: 1000, ttlMs: 1000, now: () => now, scheduleRechecks: startAtOnce });
  const check = manualRecheck();
  hot.set('a', tile(10), check.recheck);
  const a = hot.lookup('a')?.freshness;
  now = 800;
  assert.equal(a?.isFresh(), true);
  check.settle(false);
  await settled();
  assert.equal(a.isFresh(), false);
  assert.deepEqual([hot.lookup('a'), hot.bytes], [undefined, 0]);

  hot.set('b', tile(10), () => Promise.reject(new Error('EIO')));
  now = 1600;
  assert.equal(hot.lookup('b')?.isFresh, true);
  await settled();
  assert.equal(hot.lookup('b'), undefined);
});

test('a recheck answering after its entry was replaced leaves the new entry alone', async () => {
  let now = 0;
  const hot = new HotTiles({ maxBytes: 1000, ttlMs: 1000, now: () => now, scheduleRechecks: startAtOnce });
  const check = manualRecheck();
  hot.set('a', tile(10, 1), check.recheck);
  now = 800;
  hot.lookup('a');
  hot.set('a', tile(10, 2));
  check.settle(false);
  await settled();
  assert.equal(hot.lookup('a')?.tile.data[0], 2);
});

test('an entry kept without a recheck only expires', () => {
  let now = 0;
  const hot = new HotTiles({ maxBytes: 1000, ttlMs: 1000, now: () => now, scheduleRechecks: startAtOnce });
  hot.set('a', tile(10));
  now = 900;
  assert.equal(hot.lookup('a')?.isFresh, true);
  now = 1000;
  assert.equal(hot.lookup('a')?.isFresh, false);
});

test('rechecks that come due go out together when the scheduled wave starts, trusted a TTL from then', async () => {
  let now = 0;
  const waves: (() => void)[] = [];
  const hot = new HotTiles({ maxBytes: 1000, ttlMs: 1000, now: () => now, scheduleRechecks: (start) => waves.push(start) });
  const [a, b, c] = [manualRecheck(), manualRecheck(), manualRecheck()];
  hot.set('a', tile(10), a.recheck);
  hot.set('b', tile(10), b.recheck);
  hot.set('c', tile(10), c.recheck);
  now = 800;
  for (const key of ['a', 'b', 'c']) assert.equal(hot.lookup(key)?.isFresh, true);
  assert.equal(waves.length, 1, 'one wave for the three');
  assert.deepEqual([a.calls, b.calls, c.calls], [0, 0, 0], 'nothing checked before the wave');
  hot.delete('c');
  now = 850;
  waves[0]?.();
  assert.deepEqual([a.calls, b.calls, c.calls], [1, 1, 0], 'a dropped entry is not checked');
  a.settle(true);
  b.settle(false);
  await settled();
  now = 1849;
  assert.equal(hot.lookup('a')?.isFresh, true, 'trusted until 1000 ms after the wave started (850)');
  assert.equal(hot.lookup('b'), undefined, 'changed: dropped');
  assert.equal(waves.length, 2, 'a is due again: a new wave');
  now = 1850;
  assert.equal(hot.lookup('a')?.isFresh, false);
});

test('an entry is gone once dropped or replaced, not when it only aged; asking changes nothing', () => {
  let now = 0;
  const hot = new HotTiles({ maxBytes: 250, ttlMs: 1000, now: () => now });
  hot.set('a', tile(100, 1));
  hot.set('b', tile(100, 2));
  const a = hot.lookup('a')?.freshness;
  const b = hot.lookup('b')?.freshness;
  assert.ok(a !== undefined && b !== undefined);
  const isGone = (freshness: Freshness): boolean | undefined => freshness.isGone?.();
  now = 2000;
  assert.equal(isGone(a), false, 'aged, yet still the entry under its key');
  hot.set('c', tile(100, 3));
  assert.equal(isGone(a), true, 'a was the least recently used: dropped for c');
  assert.equal(isGone(b), false);
  hot.set('b', tile(100, 4));
  assert.equal(isGone(b), true, 'replaced');
});
