/**
 * The bench's wrk runner: its parser on reports wrk really printed (test/fixtures/wrk/), and a
 * short real run checking that the Lua rotation asks every path and the figures match the server.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { parseWrkOutput, WrkOutputError, wrkRun } from '../../bench/wrk.js';
import { needs } from '../helpers/system-programs.js';

const fixture = (name: string) => readFile(new URL(`../fixtures/wrk/${name}`, import.meta.url), 'utf8');

test('reads socket errors by kind, non-2xx and the percentiles of a run that had both', async () => {
  const report = parseWrkOutput(await fixture('errors-and-404.txt'));
  assert.deepEqual(report, {
    requests: 141,
    seconds: 3.01,
    non2xx: 32,
    socketErrors: { connect: 0, read: 32, write: 0, timeout: 16 },
    p50Ms: 0.498,
    p99Ms: 14.94,
  });
});

test('a clean run has no socket errors and no non-2xx', async () => {
  const report = parseWrkOutput(await fixture('clean.txt'));
  assert.equal(report.requests, 101987);
  assert.equal(report.seconds, 2.1);
  assert.equal(report.non2xx, 0);
  assert.deepEqual(report.socketErrors, { connect: 0, read: 0, write: 0, timeout: 0 });
  assert.equal(report.p50Ms, 1.05);
  assert.equal(report.p99Ms, 67.16);
});

test('latencies printed in seconds become milliseconds', async () => {
  const report = parseWrkOutput(await fixture('slow-seconds.txt'));
  assert.equal(report.requests, 16);
  assert.equal(report.p50Ms, 1160);
  assert.equal(report.p99Ms, 1380);
});

test('an output without a totals line is refused with the output quoted', () => {
  const output = 'unable to connect to 127.0.0.1:1 Connection refused\n';
  assert.throws(
    () => parseWrkOutput(output),
    (error: unknown) => error instanceof WrkOutputError && error.message.includes('Connection refused'),
  );
});

test('wrkRun asks every path of the rotation and reports what the server answered', async (t) => {
  const why = needs('wrk');
  if (why !== false) {
    t.skip(why);
    return;
  }
  const seen = new Map<string, number>();
  let answered404 = 0;
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    seen.set(path, (seen.get(path) ?? 0) + 1);
    if (path.startsWith('/missing')) {
      answered404 += 1;
      res.statusCode = 404;
    }
    res.end('tile');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const paths = ['/a.png', '/b.png', '/service?SERVICE=WMS&BBOX=1,2,3,4&STYLES=', '/missing"quote', '/c\\d'];
  const connections = 4;
  const measurement = await wrkRun(url, paths, { durationSeconds: 1, connections });
  // what wrk sent arrived as written (quotes and backslashes escaped in the Lua script)
  assert.deepEqual([...seen.keys()].sort(), [...paths].sort());
  // requests still in flight when wrk stops are counted by the server only
  assert.ok(measurement.requests > 100, `only ${measurement.requests} requests`);
  const total = [...seen.values()].reduce((sum, n) => sum + n, 0);
  assert.ok(total - measurement.requests >= 0 && total - measurement.requests <= connections);
  assert.ok(Math.abs(measurement.non2xx - answered404) <= connections);
  assert.equal(measurement.errors, 0);
  assert.ok(
    Math.abs(measurement.perSecond - (measurement.requests - measurement.non2xx) / measurement.seconds) < 1e-9,
  );
  assert.ok(measurement.p50Ms > 0 && measurement.p50Ms <= measurement.p99Ms);
  assert.equal(measurement.load, `wrk -t 2 -c ${connections}`);
});
