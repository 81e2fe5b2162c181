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
