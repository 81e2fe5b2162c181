import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapLimit } from './concurrency.js';

test('results come back in input order with at most `limit` calls at once', async () => {
  let running = 0;
  let most = 0;
  const results = await mapLimit([30, 10, 20, 5], 2, async (ms, i) => {
    running += 1;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, ms));
    running -= 1;
    return i;
  });
  assert.deepEqual(results, [0, 1, 2, 3]);
  assert.equal(most, 2);
});

test('after the first rejection no new call starts, the running ones finish, the error is rethrown', async () => {
  const started: number[] = [];
  const finished: number[] = [];
  const failing = mapLimit([0, 1, 2, 3, 4, 5], 2, async (item) => {
    started.push(item);
    if (item === 0) throw new Error('source down');
    await new Promise((resolve) => setTimeout(resolve, 10));
    finished.push(item);
    return item;
  });
  await assert.rejects(failing, { message: 'source down' });
  // MapProxy: one failing meta tile stops the others that were only queued
  assert.deepEqual(started, [0, 1]);
  assert.deepEqual(finished, [1]);
});
