import assert from 'node:assert/strict';
import { test } from 'node:test';
import { restartDelayMs } from './primary.js';

test('a replacement waits nothing at first, then 1 s doubling up to a minute while starts fail', () => {
  const table: readonly (readonly [number, number])[] = [
    [0, 0], [1, 1000], [2, 2000], [3, 4000], [6, 32_000], [7, 60_000], [50, 60_000],
  ];
  for (const [failedStarts, delayMs] of table) assert.equal(restartDelayMs(failedStarts), delayMs, `after ${failedStarts} failures`);
});
