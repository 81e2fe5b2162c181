/** SingleFlight: one shared run per key, no memory of settled runs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SingleFlight } from './single-flight.js';

test('concurrent calls with one key share a single run', async () => {
  const flight = new SingleFlight<number>();
  let runs = 0;
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const calls = Array.from({ length: 8 }, () =>
    flight.run('k', async () => {
      runs++;
      await gate;
      return 7;
    }),
  );
  assert.equal(flight.size, 1);
  release();
  assert.deepEqual(await Promise.all(calls), Array(8).fill(7));
  assert.equal(runs, 1);
  assert.equal(flight.size, 0);
});

test('a failed run is shared by its waiters and forgotten afterwards', async () => {
  const flight = new SingleFlight<string>();
  let runs = 0;
  const fail = (): Promise<string> => {
    runs++;
    return Promise.reject(new Error('upstream down'));
  };
  const [a, b] = [flight.run('k', fail), flight.run('k', fail)];
  await assert.rejects(a, /upstream down/);
  await assert.rejects(b, /upstream down/);
  assert.equal(runs, 1);
  assert.equal(await flight.run('k', () => Promise.resolve('ok')), 'ok');
});

test('a synchronously throwing function does not leave its key blocked', async () => {
  const flight = new SingleFlight<string>();
  await assert.rejects(
    flight.run('k', () => {
      throw new Error('sync');
    }),
    /sync/,
  );
  assert.equal(flight.size, 0);
  assert.equal(await flight.run('k', () => Promise.resolve('again')), 'again');
});

test('different keys run independently', async () => {
  const flight = new SingleFlight<string>();
  const results = await Promise.all([
    flight.run('a', () => Promise.resolve('A')),
    flight.run('b', () => Promise.resolve('B')),
  ]);
  assert.deepEqual(results, ['A', 'B']);
});
