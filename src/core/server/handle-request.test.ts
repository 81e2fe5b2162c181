import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAccessLine, type AccessEntry } from './handle-request.js';

const entry = (timeMs: number): AccessEntry => ({
  remoteAddress: '127.0.0.1',
  timeMs,
  method: 'GET',
  url: '/tms/1.0.0/',
  httpVersion: '1.1',
  status: 200,
  bytes: 0,
  durationMs: 2.6,
});

/** The stamp as werkzeug writes it, from a fresh Date in local time. */
function stamp(timeMs: number): string {
  const t = new Date(timeMs);
  const p = (n: number): string => String(n).padStart(2, '0');
  const month = t.toLocaleString('en-US', { month: 'short' });
  return `${p(t.getDate())}/${month}/${String(t.getFullYear())} ${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}`;
}

test('each access line carries the local second it was answered in, also when many share one', () => {
  const first = Date.UTC(2026, 11, 6, 23, 59, 58, 990);
  const times = [first, first + 5, first + 10, first + 1010, first + 3000, first - 60_000];
  for (const timeMs of times) {
    assert.equal(
      formatAccessLine(entry(timeMs)),
      `127.0.0.1 - - [${stamp(timeMs)}] "GET /tms/1.0.0/ HTTP/1.1" 200 - 3ms`,
    );
  }
});
