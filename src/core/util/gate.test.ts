import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Gate } from './gate.js';

test('at most `limit` tasks run at once and waiters start in arrival order', async () => {
  const gate = new Gate(2);
  const order: number[] = [];
  let running = 0;
  let most = 0;
  const task = (i: number) => async () => {
    running += 1;
    most = Math.max(most, running);
    order.push(i);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running -= 1;
    return i;
  };
  const results = await Promise.all([0, 1, 2, 3, 4].map((i) => gate.run(task(i))));
  assert.deepEqual(results, [0, 1, 2, 3, 4]);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
  assert.equal(most, 2);
  assert.deepEqual(gate.load, { running: 0, waiting: 0 });
});

test('a rejected task frees its slot', async () => {
  const gate = new Gate(1);
  await assert.rejects(
    gate.run(() => Promise.reject(new Error('boom'))),
    { message: 'boom' },
  );
  assert.equal(await gate.run(() => Promise.resolve('next')), 'next');
  assert.deepEqual(gate.load, { running: 0, waiting: 0 });
});

test('a raised limit lets waiters in at once; above a lowered one, finished tasks hand on no place', async () => {
  const gate = new Gate(1);
  const releases: (() => void)[] = [];
  const started: number[] = [];
  const task = (id: number) => () =>
    new Promise<void>((resolve) => {
      started.push(id);
      releases.push(resolve);
    });
  const all = [1, 2, 3].map((id) => gate.run(task(id)));
  await Promise.resolve();
  assert.deepEqual(started, [1]);
  gate.limit = 3;
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.deepEqual(started, [1, 2, 3]);
  gate.limit = 1;
  const fourth = gate.run(task(4));
  releases[0]?.();
  releases[1]?.();
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.deepEqual(started, [1, 2, 3], 'two still run (3 and the place over the limit): 4 waits');
  releases[2]?.();
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.deepEqual(started, [1, 2, 3, 4]);
  releases[3]?.();
  await Promise.all([...all, fourth]);
  assert.deepEqual(gate.load, { running: 0, waiting: 0 });
});
