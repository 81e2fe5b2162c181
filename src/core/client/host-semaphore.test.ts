/** The in-process `concurrent_requests` semaphore. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acquireHostSlot } from './host-semaphore.js';

test('a third caller waits until one of two slots is released', async () => {
  const first = await acquireHostSlot('h:1', 2);
  const second = await acquireHostSlot('h:1', 2);
  let thirdAcquired = false;
  const third = acquireHostSlot('h:1', 2).then((release) => {
    thirdAcquired = true;
    return release;
  });
  await Promise.resolve();
  assert.equal(thirdAcquired, false);
  first();
  const releaseThird = await third;
  assert.equal(thirdAcquired, true);
  // another host is independent
  (await acquireHostSlot('h:2', 1))();
  second();
  releaseThird();
});

test('an aborted waiter gives up without taking a slot', async () => {
  const held = await acquireHostSlot('h:3', 1);
  const controller = new AbortController();
  const waiting = acquireHostSlot('h:3', 1, controller.signal);
  controller.abort(new Error('gave up'));
  await assert.rejects(waiting, { message: 'gave up' });
  held();
  const next = await acquireHostSlot('h:3', 1);
  next();
});
