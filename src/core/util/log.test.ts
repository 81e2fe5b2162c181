/** The logging facade: MapProxy's line format, dotted-name level inheritance and capture. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import log4js from 'log4js';
import { configureLogging, configureLoggingSetup, formatLogRecord, getLogger, onLog, type LogRecord } from './index.js';

function capture(t: { after: (fn: () => void) => void }): LogRecord[] {
  const records: LogRecord[] = [];
  t.after(onLog((record) => records.push(record)));
  return records;
}

test('formats lines like the MapProxy dev server, with WARNING spelled out', () => {
  const time = new Date(2026, 10, 24, 2, 1, 43, 48);
  assert.equal(
    formatLogRecord({
      name: 'mapproxy.source.request',
      level: 'info',
      message: 'GET http://x/0.png 200 0.7 10',
      time,
    }),
    '[2026-11-24 02:01:43,048] mapproxy.source.request - INFO - GET http://x/0.png 200 0.7 10',
  );
  assert.equal(
    formatLogRecord({ name: 'mapproxy.config', level: 'warning', message: 'w', time }),
    '[2026-11-24 02:01:43,048] mapproxy.config - WARNING - w',
  );
});

test('default level is INFO: debug lines are dropped', (t) => {
  configureLogging({ stdout: false });
  const records = capture(t);
  const log = getLogger('mapproxy.config');
  log.debug('hidden');
  log.info('shown');
  log.warn('warned');
  log.error('failed');
  assert.deepEqual(
    records.map((r) => `${r.name} ${r.level} ${r.message}`),
    ['mapproxy.config info shown', 'mapproxy.config warning warned', 'mapproxy.config error failed'],
  );
  assert.equal(log.isEnabled('debug'), false);
  assert.equal(log.isEnabled('info'), true);
});

test('levels inherit along dotted names unless a child has its own', (t) => {
  configureLogging({
    stdout: false,
    levels: { 'mapproxy.source': 'warning', 'mapproxy.source.wms': 'debug' },
  });
  t.after(() => {
    configureLogging({ stdout: false });
  });
  const records = capture(t);
  getLogger('mapproxy.source.request').info('dropped');
  getLogger('mapproxy.source.request').warn('kept');
  getLogger('mapproxy.source.wms').debug('kept too');
  getLogger('mapproxy.system').info('root level');
  assert.deepEqual(
    records.map((r) => `${r.name} ${r.message}`),
    ['mapproxy.source.request kept', 'mapproxy.source.wms kept too', 'mapproxy.system root level'],
  );
  assert.equal(getLogger('mapproxy.source.tile').isEnabled('info'), false);
});

test('a logger obtained before reconfiguring follows the new settings', (t) => {
  configureLogging({ stdout: false });
  const log = getLogger('mapproxy.seed');
  configureLogging({ stdout: false, level: 'error' });
  t.after(() => {
    configureLogging({ stdout: false });
  });
  const records = capture(t);
  log.warn('dropped');
  log.error('kept');
  assert.deepEqual(
    records.map((r) => r.message),
    ['kept'],
  );
});

test('what a logger answered about its levels follows each new configuration', (t) => {
  t.after(() => {
    configureLogging({ stdout: false });
  });
  configureLogging({ stdout: false });
  const log = getLogger('mapproxy.access');
  assert.equal(log.isEnabled('debug'), false);
  assert.equal(log.isEnabled('info'), true);
  configureLogging({ stdout: false, level: 'debug' });
  assert.equal(log.isEnabled('debug'), true);
  configureLogging({ stdout: false, levels: { 'mapproxy.access': 'warning' } });
  assert.equal(log.isEnabled('info'), false);
  assert.equal(log.isEnabled('warning'), true);
  configureLoggingSetup({
    handlers: { none: { kind: 'null', format: '%(message)s' } },
    loggers: [{ qualname: '', level: 'error', handlers: ['none'], propagate: false }],
  });
  assert.equal(log.isEnabled('warning'), false);
  assert.equal(log.isEnabled('error'), true);
});

test('a log file a handler creates is 0644 (0666 less the umask, as Python), not 0600', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'log-mode-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  t.after(() => {
    configureLogging();
  });
  const filename = join(dir, 'mapproxy.log');
  configureLoggingSetup({
    handlers: { file: { kind: 'file', filename, format: '%(message)s' } },
    loggers: [{ qualname: '', level: 'info', handlers: ['file'], propagate: false }],
  });
  getLogger('mapproxy.test').info('a line');
  // shutdown flushes and closes the file appender
  await new Promise<void>((resolve) => {
    log4js.shutdown(() => {
      resolve();
    });
  });
  // what Python's open() gets: the 0666 default less the umask (a plain writeFile does the same)
  const reference = join(dir, 'reference');
  await writeFile(reference, '');
  assert.equal((await stat(filename)).mode & 0o777, (await stat(reference)).mode & 0o777);
  assert.equal((await stat(filename)).mode & 0o777, 0o644, 'with the usual umask 022');
});
