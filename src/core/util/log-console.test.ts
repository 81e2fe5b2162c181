import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ACCESS_LOGGER, configureLogging, getLogger } from './log.js';

test('access lines of one event-loop turn reach stderr in one write, in order, after the turn', async (t) => {
  const writes: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  t.mock.method(process.stderr, 'write', (chunk: string | Uint8Array) => {
    if (String(chunk).startsWith('[info] line ')) writes.push(String(chunk));
    else original(chunk);
    return true;
  });
  configureLogging();
  const access = getLogger(ACCESS_LOGGER);
  for (const n of [1, 2, 3]) access.info(`line ${n}`);
  assert.deepEqual(writes, [], 'nothing written during the turn');
  await nextTurn();
  assert.deepEqual(writes, ['[info] line 1\n[info] line 2\n[info] line 3\n']);
  access.info('line 4');
  await nextTurn();
  assert.deepEqual(writes.slice(1), ['[info] line 4\n']);
});
