import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test, type TestContext } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ACCESS_FLUSH_MS, ACCESS_LOGGER, configureLogging, getLogger, onLog } from './log.js';

/** What is written to `stream` while the test runs and `keep` accepts; the rest goes out as usual. */
function captureWrites(t: TestContext, stream: NodeJS.WriteStream, keep: (text: string) => boolean): string[] {
  const writes: string[] = [];
  const original = stream.write.bind(stream);
  t.mock.method(stream, 'write', (chunk: string | Uint8Array) => {
    if (keep(String(chunk))) writes.push(String(chunk));
    else original(chunk);
    return true;
  });
  return writes;
}

test('access lines reach stderr together, in order, ACCESS_FLUSH_MS after the first, or at once past 64 kB', async (t) => {
  const writes = captureWrites(t, process.stderr, (text) => text.startsWith('[info] line '));
  t.mock.timers.enable({ apis: ['setTimeout'] });
  configureLogging();
  const access = getLogger(ACCESS_LOGGER);
  for (const n of [1, 2, 3]) access.info(`line ${n}`);
  await nextTurn();
  t.mock.timers.tick(ACCESS_FLUSH_MS - 1);
  assert.deepEqual(writes, [], 'the lines wait for others');
  access.info('line 4');
  t.mock.timers.tick(1);
  assert.deepEqual(writes, ['[info] line 1\n[info] line 2\n[info] line 3\n[info] line 4\n']);
  access.info('line 5');
  t.mock.timers.tick(ACCESS_FLUSH_MS);
  assert.deepEqual(writes.slice(1), ['[info] line 5\n'], 'a new wait starts with the next line');
  // a burst larger than the bound does not wait
  const long = 'x'.repeat(1000);
  for (let n = 0; n < 70; n++) access.info(`line ${long}`);
  assert.equal(writes.length, 3, 'written once the text passed 64 kB, without the timer');
  t.mock.timers.tick(ACCESS_FLUSH_MS);
  assert.equal(writes.join('').split('\n').length - 1, 75, 'every line written once');
});

test("access lines also reach onLog listeners, and follow the access logger's level", async (t) => {
  const writes: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  t.mock.method(process.stderr, 'write', (chunk: string | Uint8Array) => {
    if (String(chunk).includes('GET /level')) writes.push(String(chunk));
    else original(chunk);
    return true;
  });
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const heard: string[] = [];
  t.after(onLog((record) => heard.push(`${record.name} ${record.level} ${record.message}`)));
  configureLogging({ levels: { [ACCESS_LOGGER]: 'warning' } });
  const access = getLogger(ACCESS_LOGGER);
  access.info('GET /level/quiet');
  configureLogging();
  access.info('GET /level/loud');
  t.mock.timers.tick(ACCESS_FLUSH_MS);
  assert.deepEqual(writes, ['[info] GET /level/loud\n']);
  assert.deepEqual(heard, [`${ACCESS_LOGGER} info GET /level/loud`]);
  await nextTurn();
});

test('the console setup writes its lines to stdout without loading log4js', (t) => {
  const writes = captureWrites(t, process.stdout, (text) => text.includes('mapproxy.seed'));
  configureLogging({ level: 'warning', levels: { 'mapproxy.seed.task': 'info' } });
  getLogger('mapproxy.seed').info('dropped');
  getLogger('mapproxy.seed').warn('kept');
  getLogger('mapproxy.seed.task.walk').info('kept too');
  assert.deepEqual(
    writes.map((line) => line.replace(/^\[[^\]]+\] /, '')),
    ['mapproxy.seed - WARNING - kept\n', 'mapproxy.seed.task.walk - INFO - kept too\n'],
  );
  // log4js (with streamroller and fs-extra) cost each seed ~30 ms of CPU at start (issue 13)
  const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) =>
    path.includes('/node_modules/log4js/'),
  );
  assert.deepEqual(loaded, []);
});
