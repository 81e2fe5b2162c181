import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ownBytes, TransferPool } from './transfer-pool.js';

test('take gives the smallest pooled buffer that fits, else a new one rounded up to 64 kB', () => {
  const pool = new TransferPool(4);
  const small = new ArrayBuffer(100_000);
  const large = new ArrayBuffer(600_000);
  pool.give(large);
  pool.give(small);
  assert.equal(pool.take(90_000), small);
  assert.equal(pool.take(90_000), large);
  const fresh = pool.take(90_000);
  assert.equal(fresh.byteLength, 131_072);
  assert.equal(pool.allocated, 1);
  assert.equal(pool.size, 0);
});

test('the pool stays bounded, keeps the largest buffers and ignores detached or repeated ones', () => {
  const pool = new TransferPool(2);
  const buffers = [300, 100, 400, 200].map((n) => new ArrayBuffer(n * 1024));
  for (const buffer of buffers) pool.give(buffer);
  assert.equal(pool.size, 2);
  assert.equal(pool.take(1), buffers[0]); // 300 kB: 100 and 200 were dropped as the smallest
  pool.give(buffers[2]); // already pooled
  assert.equal(pool.size, 1);
  const moved = new ArrayBuffer(1024);
  structuredClone(moved, { transfer: [moved] });
  pool.give(moved);
  pool.give(null);
  assert.equal(pool.size, 1);
});

test('ownBytes: bytes that fill their buffer as they are, a view copied into a buffer of its own', () => {
  const exact = new Uint8Array([1, 2, 3]);
  assert.equal(ownBytes(exact), exact);
  const whole = Buffer.from([9, 1, 2, 3, 9]);
  const view = whole.subarray(1, 4);
  const own = ownBytes(view);
  assert.deepEqual([...own], [1, 2, 3]);
  assert.notEqual(
    own.buffer,
    whole.buffer,
    'a Buffer view is copied, not sliced (Buffer#slice shares memory)',
  );
  assert.equal(own.byteLength, own.buffer.byteLength);
});

test('the pooled buffers are dropped, detached, once the pool was idle for idleMs', async () => {
  // timers fire in order of their due times, however late: each wait below ends before or after
  // the pool's timer, as its length says
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const pool = new TransferPool(4, { idleMs: 100 });
  const first = pool.take(100_000);
  const second = pool.take(100_000);
  pool.give(first);
  await wait(60);
  pool.give(second); // the wait starts again
  await wait(60);
  assert.equal(pool.size, 2);
  await wait(150);
  assert.equal(pool.size, 0);
  assert.equal(first.byteLength, 0, 'detached: its memory no longer waits for a full collection');
  assert.equal(second.byteLength, 0);
  const fresh = pool.take(100_000);
  assert.equal(fresh.byteLength, 131_072);
  assert.equal(pool.allocated, 3);
});
