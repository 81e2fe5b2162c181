/**
 * The operator endpoints and logs over a real socket: `/health`, `/ready`, Prometheus `/metrics`
 * (counters that move by exactly what the requests did), the access log line per request and the
 * `--debug` lines (config loading, cache hit/miss, upstream request with its duration).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { configureLogging, startMultiAppServer } from '../../src/core/index.js';
import { onLog, type LogRecord } from '../../src/core/util/index.js';
import { copyFixture, makeTempDir } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { solidPng, startUpstream } from '../helpers/upstream.js';

const TILE = '/wmts/osm/GLOBAL_WEBMERCATOR/1/0/0.png';
const UPSTREAM_TILE = '/tiles/1/0/0.png';

/** Samples of a Prometheus text page by their printed series, e.g. `x_total{cache="c"}`. */
async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `${url} answers`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^(\S+) (\S+)$/.exec(line);
    if (m?.[1] !== undefined && !line.startsWith('#')) samples.set(m[1], Number(m[2]));
  }
  return samples;
}

function delta(before: Map<string, number>, after: Map<string, number>, series: string): number {
  return (after.get(series) ?? 0) - (before.get(series) ?? 0);
}

/** Every log line from now until the test ends, at `level` and above. */
function captureLogs(t: TestContext, level: 'debug' | 'info'): LogRecord[] {
  configureLogging({ level, stdout: false });
  const records: LogRecord[] = [];
  t.after(onLog((record) => records.push(record)));
  t.after(() => {
    configureLogging();
  });
  return records;
}

async function startTileProxy(t: TestContext, vars: Partial<Record<'CACHE_DIR' | 'METRICS_ENABLED' | 'METRICS_PATH', string>> = {}) {
  const upstream = await startUpstream(t, { [UPSTREAM_TILE]: await solidPng([255, 0, 0, 255]) });
  const proxy = await startProxy(t, 'operations/tile-cache.yaml', {
    UPSTREAM_URL: upstream.url,
    CACHE_DIR: './cache_data',
    METRICS_ENABLED: 'true',
    METRICS_PATH: '/metrics',
    ...vars,
  });
  return { upstream, proxy };
}

test('/health and /ready answer 200 in plain text, never cached', async (t) => {
  const { proxy } = await startTileProxy(t);
  for (const [path, body] of [['/health', 'ok\n'], ['/ready', 'ready\n']] as const) {
    const res = await fetch(`${proxy.url}${path}`);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('cache-control'), 'no-store', path);
    assert.equal(await res.text(), body, path);
  }
});

test('/ready answers 503 while the cache directory cannot be written', async (t) => {
  const dir = await makeTempDir(t);
  const file = join(dir, 'a-file');
  await writeFile(file, 'not a directory');
  const { proxy } = await startTileProxy(t, { CACHE_DIR: join(file, 'cache') });
  const res = await fetch(`${proxy.url}/ready`);
  assert.equal(res.status, 503);
  assert.match(await res.text(), /^not ready: cache directory .*a-file\/cache is not writable/);
  assert.equal((await fetch(`${proxy.url}/health`)).status, 200, 'still alive');
});

test('/metrics counts requests by service and status, cache hits and misses, created tiles and upstream requests', async (t) => {
  const { upstream, proxy } = await startTileProxy(t);
  const before = await scrape(`${proxy.url}/metrics`);
  for (const attempt of ['miss', 'hit']) {
    const res = await fetch(`${proxy.url}${TILE}`);
    assert.equal(res.status, 200, attempt);
    await res.arrayBuffer();
  }
  assert.equal((await fetch(`${proxy.url}/wmts/nosuchlayer/GLOBAL_WEBMERCATOR/1/0/0.png`)).status, 400);
  assert.equal((await fetch(`${proxy.url}/no/such/route`)).status, 404);
  const after = await scrape(`${proxy.url}/metrics`);

  assert.equal(upstream.count(UPSTREAM_TILE), 1);
  const expected: readonly (readonly [string, number])[] = [
    ['mapproxy_http_requests_total{service="wmts",status="200"}', 2],
    ['mapproxy_http_requests_total{service="wmts",status="400"}', 1],
    ['mapproxy_http_requests_total{service="other",status="404"}', 1],
    ['mapproxy_http_requests_total{service="metrics",status="200"}', 1],
    ['mapproxy_http_request_duration_seconds_count{service="wmts"}', 3],
    ['mapproxy_cache_misses_total{cache="osm_cache_GLOBAL_WEBMERCATOR"}', 1],
    ['mapproxy_cache_hits_total{cache="osm_cache_GLOBAL_WEBMERCATOR"}', 1],
    ['mapproxy_tiles_created_total{cache="osm_cache_GLOBAL_WEBMERCATOR"}', 1],
    ['mapproxy_upstream_requests_total{source="osm_tiles"}', 1],
    ['mapproxy_upstream_request_duration_seconds_count{source="osm_tiles"}', 1],
  ];
  for (const [series, change] of expected) assert.equal(delta(before, after, series), change, series);
  assert.equal(delta(before, after, 'mapproxy_upstream_errors_total{source="osm_tiles"}'), 0);
  // no label carries a request path
  assert.ok(![...after.keys()].some((series) => series.includes('/')), 'no path in any label');
});

test('upstream failures count as upstream errors of their source', async (t) => {
  const upstream = await startUpstream(t);
  upstream.expect(UPSTREAM_TILE, { status: 500, body: 'broken' });
  const proxy = await startProxy(t, 'operations/tile-cache.yaml', {
    UPSTREAM_URL: upstream.url, CACHE_DIR: './cache_data', METRICS_ENABLED: 'true', METRICS_PATH: '/metrics',
  });
  const before = await scrape(`${proxy.url}/metrics`);
  const res = await fetch(`${proxy.url}${TILE}`);
  await res.arrayBuffer();
  assert.notEqual(res.status, 200);
  const after = await scrape(`${proxy.url}/metrics`);
  assert.equal(delta(before, after, 'mapproxy_upstream_errors_total{source="osm_tiles"}'), 1);
  assert.equal(delta(before, after, 'mapproxy_upstream_requests_total{source="osm_tiles"}'), 1);
});

test('globals.metrics moves the endpoint or switches it off; /metrics is then a 404 as in MapProxy', async (t) => {
  const moved = await startTileProxy(t, { METRICS_PATH: '/_internal/prometheus' });
  assert.equal((await fetch(`${moved.proxy.url}/metrics`)).status, 404);
  assert.ok((await scrape(`${moved.proxy.url}/_internal/prometheus`)).size > 0);

  const off = await startTileProxy(t, { METRICS_ENABLED: 'false' });
  const res = await fetch(`${off.proxy.url}/metrics`);
  assert.equal(res.status, 404);
  assert.equal(await res.text(), 'not found');
});

test('globals.metrics.path must be an absolute path that is not /health or /ready', async (t) => {
  const upstream = await startUpstream(t);
  for (const path of ['metrics', '/health']) {
    const configFile = await copyFixture(t, 'operations/tile-cache.yaml', {
      UPSTREAM_URL: upstream.url, CACHE_DIR: './cache_data', METRICS_ENABLED: 'true', METRICS_PATH: path,
    });
    await assert.rejects(
      startProxyFile(configFile),
      (error: Error) => /globals\.metrics\.path: metrics path must start with "\/"/.test(error.message),
      path,
    );
  }
});

async function startProxyFile(configFile: string): Promise<void> {
  const { startServer } = await import('../../src/core/index.js');
  const server = await startServer({ configFile, bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' } });
  await server.close();
}

test('every request writes one access line: client, time, method, path, protocol, status, bytes, duration', async (t) => {
  const records = captureLogs(t, 'info');
  const { proxy } = await startTileProxy(t);
  const res = await fetch(`${proxy.url}${TILE}?x=1`);
  const bytes = (await res.arrayBuffer()).byteLength;
  await (await fetch(`${proxy.url}/nothing-here`)).text();
  const access = records.filter((r) => r.name === 'mapproxy.access').map((r) => r.message);
  assert.equal(access.length, 2, access.join('\n'));
  // werkzeug's line as MapProxy's development server writes it, plus size and duration
  const line = /^127\.0\.0\.1 - - \[\d\d\/[A-Z][a-z]{2}\/\d{4} \d\d:\d\d:\d\d\] "GET (\S+) HTTP\/1\.1" (\d{3}) (\S+) (\d+)ms$/;
  assert.deepEqual(line.exec(access[0] ?? '')?.slice(1, 4), [`${TILE}?x=1`, '200', String(bytes)]);
  assert.deepEqual(line.exec(access[1] ?? '')?.slice(1, 4), ['/nothing-here', '404', '9']);
  const reading = records.find((r) => r.name === 'mapproxy.config' && r.level === 'info');
  assert.equal(reading?.message, `reading: ${proxy.configFile}`);
  assert.ok(!records.some((r) => r.level === 'debug'), 'no debug lines at info');
});

test('--debug logs config loading, each cache hit and miss, and the upstream request with its duration', async (t) => {
  const records = captureLogs(t, 'debug');
  const { proxy } = await startTileProxy(t);
  for (let i = 0; i < 2; i++) await (await fetch(`${proxy.url}${TILE}`)).arrayBuffer();
  const lines = records.map((r) => `${r.name} ${r.level} ${r.message}`);
  const expected = [
    new RegExp(`^mapproxy\\.config info reading: ${proxy.configFile}$`),
    /^mapproxy\.config debug loaded \S+tile-cache\.yaml in \d+ ms \(files: \S+; services: tms, tiles, wmts, service, ows; 1 caches, 1 sources\)$/,
    /^mapproxy\.cache\.tile debug osm_cache_GLOBAL_WEBMERCATOR: miss 1\/0\/0$/,
    /^mapproxy\.source\.request info GET http:\/\/127\.0\.0\.1:\d+\/tiles\/1\/0\/0\.png 200 [\d.]+ (\d+|-)$/,
    /^mapproxy\.cache\.tile debug osm_cache_GLOBAL_WEBMERCATOR: hit 1\/0\/0$/,
  ];
  let at = 0;
  for (const pattern of expected) {
    const found = lines.findIndex((line, i) => i >= at && pattern.test(line));
    assert.ok(found >= 0, `${String(pattern)} after line ${at} in:\n${lines.join('\n')}`);
    at = found + 1;
  }
});

test('multiapp: /metrics, /health and /ready at the root only, never under a project name', async (t) => {
  const dir = await copyFixture(t, 'operations/multi');
  const server = await startMultiAppServer({ configDir: dir, bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' } });
  t.after(() => server.close());
  assert.equal((await fetch(`${server.url}/proj/tms/1.0.0/`)).status, 200);
  const metrics = await scrape(`${server.url}/metrics`);
  assert.ok((metrics.get('mapproxy_http_requests_total{service="tms",status="200"}') ?? 0) >= 1);
  assert.equal((await fetch(`${server.url}/health`)).status, 200);
  assert.equal((await fetch(`${server.url}/ready`)).status, 200);
  for (const path of ['/proj/metrics', '/proj/health', '/proj/ready']) {
    assert.equal((await fetch(`${server.url}${path}`)).status, 404, path);
  }
});
