import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HotTiles } from './hot-tiles.js';
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
  const hot = new HotTiles({ maxBytes: 1000, ttlMs: 1000, now: () => now });
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

test("a lookup's freshness holds while its entry stands: not after the TTL, a renew, a replacement, a drop or a clear", () => {
  let now = 0;
  const hot = new HotTiles({ maxBytes: 1000, ttlMs: 1000, now: () => now });
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
  assert.equal(a.isFresh(), false, 'the old entry stays stale after a renew');
  assert.equal(renewed?.isFresh(), true);
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
