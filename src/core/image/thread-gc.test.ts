import assert from 'node:assert/strict';
import { test } from 'node:test';
import { taskCollector } from './thread-gc.js';

test('a task is followed by a collection once the buffers grew past the threshold since the last one', () => {
  let bytes = 0;
  let collections = 0;
  const collecting = taskCollector({
    arrayBufferBytes: () => bytes,
    collect: () => {
      collections += 1;
      bytes = 1000; // what survived
    },
    thresholdBytes: 5000,
  });
  const task = collecting((grow: number) => {
    bytes += grow;
    return grow * 2;
  });
  assert.equal(task(3000), 6000);
  assert.equal(collections, 0);
  assert.equal(task(3000), 6000);
  assert.equal(collections, 1);
  // measured from what the collection left (1000), not from zero
  task(4500);
  assert.equal(collections, 1);
  task(600);
  assert.equal(collections, 2);
});
