import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobPool } from './job-pool.js';

test('an abort ends the wait for a slot and drain abandons the job still running', async () => {
  const controller = new AbortController();
  const pool = new JobPool({ concurrency: 1, retries: 0, retryDelayMs: 0, maxDelayMs: 0, signal: controller.signal, abandonAfterMs: 10 });
  const outcomes: unknown[] = [];
  let started = false;
  // a meta tile whose upstream never answers holds the only slot
  await pool.submit(() => new Promise<void>(() => undefined), (error) => outcomes.push(error));
  const waiting = pool.submit(() => {
    started = true;
    return Promise.resolve();
  }, (error) => outcomes.push(error));
  controller.abort();
  await waiting;
  await pool.drain();
  assert.equal(started, false);
  assert.deepEqual(outcomes, []); // neither done: one dropped, one abandoned
});

test('an abort during a retry backoff gives the job up without reporting it', async () => {
  const controller = new AbortController();
  const pool = new JobPool({ concurrency: 1, retries: 3, retryDelayMs: 60_000, maxDelayMs: 60_000, signal: controller.signal, abandonAfterMs: 60_000 });
  const outcomes: unknown[] = [];
  let attempts = 0;
  await pool.submit(
    () => {
      attempts += 1;
      return Promise.reject(new Error('upstream down'));
    },
    (error) => outcomes.push(error),
    () => {
      controller.abort();
    },
  );
  await pool.drain();
  assert.equal(attempts, 1);
  assert.deepEqual(outcomes, []);
});
