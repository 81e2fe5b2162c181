import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workerOptionsEnv, workerOptionsFromEnv, type WorkerOptions } from './worker-options.js';

test("a worker's options reach it through its environment", () => {
  const options: WorkerOptions = {
    target: 'mapproxy.yaml',
    bind: { host: '0.0.0.0', port: 8080, displayHost: 'localhost' },
    debug: true,
    logConfig: '/etc/mapproxy/log.ini',
  };
  assert.deepEqual(workerOptionsFromEnv({ PATH: '/bin', ...workerOptionsEnv(options) }), options);
});

test('a process a serve primary did not start is refused', () => {
  for (const value of [
    undefined,
    'not json',
    '{"target":"a.yaml"}',
    '{"target":1,"bind":{"host":"h","port":1,"displayHost":"h"}}',
  ]) {
    assert.throws(
      () => workerOptionsFromEnv({ MAPPROXY_TS_SERVE_WORKER: value }),
      { code: 'SERVER_WORKER_FAILED' },
      String(value),
    );
  }
});
