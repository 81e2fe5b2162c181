/**
 * The exit-code policy without a command: what is reported, in which order, and what is left
 * to crash (the command table is in test/commands/exit-policy.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, ConfigErrors } from '../config/errors.js';
import { SeedError } from '../seed/errors.js';
import { ProxyError } from '../util/index.js';
import { CliError } from './errors.js';
import { exitCodeFor, failureReport, presentFailure } from './exit-policy.js';

const AT = { file: 'mapproxy.yaml', line: 3, column: 5 };

test('anything that is not a catalogued ProxyError is no report: a bug crashes with its stack', () => {
  assert.equal(failureReport(new Error('boom'), 'seed'), null);
  assert.equal(failureReport(new ProxyError('boom', 'NOT_A_CODE'), 'seed'), null);
  const boom = new TypeError('x is undefined');
  assert.throws(() => presentFailure(boom, 'seed', { log: () => undefined, logToStderr: () => undefined }), boom);
});

test('config problems: warnings first, then every error, exit 2, no hint', () => {
  const error = new ConfigErrors(
    [new ConfigError('CONFIG_UNKNOWN_REF', AT, ['caches', 'osm', 'grids', 0], 'unknown grid "webmerc"')],
    [{ code: 'CONFIG_UNKNOWN_KEY', ...AT, path: ['globals', 'foo'], message: 'unknown key' }],
  );
  assert.deepEqual(failureReport(error, 'serve-develop'), {
    kind: 'config',
    exitCode: 2,
    stdout: [],
    stderr: [
      'warning: mapproxy.yaml:3:5 globals.foo: unknown key',
      'error: mapproxy.yaml:3:5 caches.osm.grids[0]: unknown grid "webmerc"',
    ],
  });
});

test('a multi-line message keeps its later lines; a usage error ends with the help hint', () => {
  const unknown = new SeedError('unknown seed tasks: x\navailable seed tasks: a, b', 'SEED_UNKNOWN_TASK');
  assert.deepEqual(failureReport(unknown, 'seed')?.stderr, ['error: unknown seed tasks: x', 'available seed tasks: a, b']);
  assert.equal(failureReport(unknown, 'seed')?.exitCode, 1);
  const usage = failureReport(new CliError('missing -f', 'CLI_USAGE'), 'export');
  assert.equal(usage?.exitCode, 2);
  assert.deepEqual(usage.stderr, ['error: missing -f', 'hint: see `mapproxy-util export --help`']);
});

test('usage errors of grids and scales exit 1, as MapProxy 1.15 does; every other command 2', () => {
  assert.equal(exitCodeFor('usage', 'grids'), 1);
  assert.equal(exitCodeFor('usage', 'scales'), 1);
  assert.equal(exitCodeFor('usage', 'seed'), 2);
  assert.equal(exitCodeFor('config', 'grids'), 2);
  assert.equal(exitCodeFor('refused', 'create'), 1);
});
