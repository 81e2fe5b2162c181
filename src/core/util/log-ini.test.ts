import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseLogIni, parsePyArgs } from './log-ini.js';

const TEMPLATE = readFileSync(new URL('../../../templates/log-ini/log.ini', import.meta.url), 'utf8');

test("MapProxy's log.ini template: root to mapproxy.log, source requests only to source-requests.log", () => {
  const setup = parseLogIni(TEMPLATE, { file: 'log.ini', defaults: { here: '/etc/mapproxy' } });
  assert.deepEqual(setup.loggers, [
    { qualname: '', level: 'info', handlers: ['mapproxy'], propagate: false },
    { qualname: 'mapproxy.source.request', level: 'info', handlers: ['source_requests'], propagate: false },
  ]);
  assert.deepEqual(setup.handlers.mapproxy, {
    kind: 'file',
    filename: '/etc/mapproxy/mapproxy.log',
    mode: 'a',
    format: '%(asctime)s - %(levelname)s - %(name)s - %(message)s',
  });
  assert.deepEqual(setup.handlers.source_requests, {
    kind: 'file',
    filename: '/etc/mapproxy/source-requests.log',
    mode: 'a',
    format: '[%(asctime)s] %(message)s',
  });
});

test('interpolation reads DEFAULT and the section, %% is a percent sign, formats stay raw', () => {
  const ini = `[DEFAULT]
logdir = %(here)s/logs
[loggers]
keys=root,wms
[handlers]
keys=console
[formatters]
keys=f
[logger_root]
level=WARNING
handlers=console
[logger_wms]
qualname=mapproxy.source.wms
level=DEBUG
handlers=
[handler_console]
class=StreamHandler
level=ERROR
formatter=f
args=(sys.stdout,)
[formatter_f]
format=%(levelname)-8s 100%% %(message)s
`;
  const setup = parseLogIni(ini, { file: 'x.ini', defaults: { here: '/srv' } });
  assert.deepEqual(setup.handlers.console, { kind: 'stream', stream: 'stdout', level: 'error', format: '%(levelname)-8s 100%% %(message)s' });
  assert.deepEqual(setup.loggers[1], { qualname: 'mapproxy.source.wms', level: 'debug', handlers: [], propagate: true });
});

test('broken ini files name the section and the problem', () => {
  const base = '[loggers]\nkeys=root\n[handlers]\nkeys=h\n[formatters]\nkeys=\n[logger_root]\nhandlers=h\n';
  assert.throws(() => parseLogIni(`${base}[handler_h]\nclass=FileHandler\nargs=(r"%(nothere)s/x.log",)\n`, { file: 'a.ini' }), {
    code: 'LOG_CONFIG',
    message: /a\.ini \[handler_h\]: bad value substitution: no option "nothere"/,
  });
  assert.throws(() => parseLogIni(`${base}[handler_h]\nclass=StreamHandler\nformatter=nope\n`, { file: 'a.ini' }), {
    message: /\[handler_h\]: unknown formatter "nope"/,
  });
  assert.throws(() => parseLogIni('[loggers]\nkeys=root\n', { file: 'a.ini' }), { message: /missing section \[formatters\]/ });
});

test('handler args are Python tuple literals', () => {
  assert.deepEqual(parsePyArgs(`(r"C:\\logs\\a.log", 'w', 1024, 3)`), ['C:\\logs\\a.log', 'w', 1024, 3]);
  assert.deepEqual(parsePyArgs('(sys.stderr,)'), [{ stream: 'stderr' }]);
  assert.deepEqual(parsePyArgs('()'), []);
  assert.throws(() => parsePyArgs('open("x")'), /tuple/);
});
