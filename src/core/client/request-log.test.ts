/** The `mapproxy.source.request` line, pinned against MapProxy 1.15 `client/log.py`. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRequestLog } from './index.js';

const BASE = {
  method: 'GET',
  url: 'http://127.0.0.1:8001/tiles/0/0/0.png',
  status: 200,
  contentLength: '717',
  durationMs: 10.9,
};

test('formats METHOD URL STATUS SIZE_KB MS', () => {
  assert.equal(formatRequestLog(BASE), 'GET http://127.0.0.1:8001/tiles/0/0/0.png 200 0.7 10');
});

test('uses - for a missing status or size and keeps a zero size', () => {
  assert.equal(
    formatRequestLog({ ...BASE, status: null, contentLength: null, durationMs: 0.4 }),
    'GET http://127.0.0.1:8001/tiles/0/0/0.png - - 0',
  );
  assert.equal(
    formatRequestLog({ ...BASE, contentLength: '0' }),
    'GET http://127.0.0.1:8001/tiles/0/0/0.png 200 0.0 10',
  );
  assert.equal(
    formatRequestLog({ ...BASE, durationMs: 0 }),
    'GET http://127.0.0.1:8001/tiles/0/0/0.png 200 0.7 -',
  );
});

test('rounds sizes like Python and removes spaces from the URL', () => {
  assert.equal(
    formatRequestLog({ ...BASE, url: 'http://h/a b', contentLength: '256' }),
    'GET http://h/ab 200 0.2 10',
  );
  assert.equal(
    formatRequestLog({ ...BASE, method: 'POST', contentLength: '768' }),
    'POST http://127.0.0.1:8001/tiles/0/0/0.png 200 0.8 10',
  );
});
