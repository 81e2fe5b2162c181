import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workerNodeFlags } from './worker-flags.js';

test('serve workers get 2 MB semi-spaces unless the command line sets a size', () => {
  assert.deepEqual(workerNodeFlags(['--enable-source-maps']), ['--enable-source-maps', '--max-semi-space-size=2']);
  assert.deepEqual(workerNodeFlags(['--max-semi-space-size=16']), ['--max-semi-space-size=16']);
  assert.deepEqual(workerNodeFlags(['--max_semi_space_size', '8']), ['--max_semi_space_size', '8']);
});
