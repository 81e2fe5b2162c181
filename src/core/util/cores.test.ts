import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { processCores, PROCESSES_ENV } from './cores.js';

test('a process alone gets every core; serve workers share them, at least one each', () => {
  const cores = availableParallelism();
  assert.equal(processCores({}), cores);
  assert.equal(processCores({ [PROCESSES_ENV]: '2' }), Math.max(1, Math.floor(cores / 2)));
  assert.equal(processCores({ [PROCESSES_ENV]: String(cores * 4) }), 1);
  assert.equal(processCores({ [PROCESSES_ENV]: 'nonsense' }), cores);
});
