/**
 * `serve -w 2`: a /metrics request lands on one worker, which asks the primary for every
 * worker's metrics summed, so the counters cover requests that the other worker answered.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { copyFixture } from '../helpers/fixtures.js';
import { startServe } from '../helpers/front-proxy.js';

const REQUESTS = 12;

/** Every line to stdout with the writing process's pid, so each worker's access lines can be told apart. */
const LOG_INI = `[loggers]
keys=root
[handlers]
keys=out
[formatters]
keys=pid
[logger_root]
level=INFO
handlers=out
[handler_out]
class=StreamHandler
args=(sys.stdout,)
formatter=pid
[formatter_pid]
format=%(process)d %(name)s %(message)s
`;

/** One GET on a connection of its own (no keep-alive), so the workers share the requests. */
function getOnce(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
    }).on('error', reject);
  });
}

function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

test('serve -w 2: /metrics on any worker sums the requests every worker answered', async (t) => {
  const configFile = await copyFixture(t, 'deploy/mapproxy.yaml');
  const logIni = join(dirname(configFile), 'log.ini');
  await writeFile(logIni, LOG_INI);
  const serve = await startServe(t, [configFile, '-w', '2', '--log-config', logIni]);
  const workers = [...serve.output().matchAll(/worker (\d+) started/g)].map((m) => Number(m[1]));
  assert.equal(workers.length, 2, serve.output());

  const answers = await Promise.all(Array.from({ length: REQUESTS }, () => getOnce(`${serve.url}/tms/1.0.0/`)));
  assert.deepEqual(answers.map((a) => a.status), Array(REQUESTS).fill(200));
  // every scrape, whichever worker takes it, sees all requests (and the scrapes before it)
  for (let scrape = 0; scrape < 4; scrape++) {
    const metrics = await getOnce(`${serve.url}/metrics`);
    assert.equal(metrics.status, 200, metrics.body);
    assert.equal(sample(metrics.body, 'mapproxy_http_requests_total{service="tms",status="200"}'), REQUESTS, `scrape ${scrape}`);
    assert.equal(sample(metrics.body, 'mapproxy_http_request_duration_seconds_count{service="tms"}'), REQUESTS, `scrape ${scrape}`);
    assert.equal(sample(metrics.body, 'mapproxy_http_requests_total{service="metrics",status="200"}'), scrape, `scrape ${scrape}`);
  }
  // both workers answered some of the requests (each wrote its own access lines), so the sum
  // above is not one worker's count
  const byPid = new Map<number, number>();
  for (const m of serve.output().matchAll(/^(\d+) mapproxy\.access \S+ - - \[[^\]]+\] "GET \/tms\/1\.0\.0\/ HTTP\/1\.1" 200 \d+ \d+ms$/gm)) {
    byPid.set(Number(m[1]), (byPid.get(Number(m[1])) ?? 0) + 1);
  }
  assert.deepEqual([...byPid.keys()].sort(), [...workers].sort(), serve.output());
  assert.equal([...byPid.values()].reduce((a, b) => a + b, 0), REQUESTS);
  const health = await getOnce(`${serve.url}/health`);
  assert.equal(health.status, 200);
});
