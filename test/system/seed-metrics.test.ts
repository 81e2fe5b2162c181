/**
 * A seed run watched from Prometheus: `seed --metrics-file` (node_exporter's textfile collector)
 * read while the run waits on its upstream and after it ended, written atomically; the
 * `--metrics-bind` endpoint scraped during the run; a server's `/metrics` shows no seed series.
 */
import assert from 'node:assert/strict';
import { cp, readdir, readFile, watch, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { runSeed, type SeedEvent } from '../../src/core/index.js';
import { metricsText } from '../../src/core/util/index.js';
import { runCommand } from '../helpers/cli.js';
import { copyFixture, FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { deferred, solidPng, startUpstream, type Upstream, type UpstreamHandler } from '../helpers/upstream.js';

const CACHE = 'osm_cache_GLOBAL_WEBMERCATOR';
const SOURCE = 'osm_tiles';
const TASK = '{task="osm_0_1",kind="seed",cache="osm_cache",grid="GLOBAL_WEBMERCATOR",levels="0-1"}';
/** Levels 0 and 1 of GLOBAL_WEBMERCATOR without meta tiles: 1 + 4 tiles, one upstream request each. */
const TILES = ['/tiles/0/0/0.png', '/tiles/1/0/0.png', '/tiles/1/0/1.png', '/tiles/1/1/0.png', '/tiles/1/1/1.png'];
const SEED_YAML = 'seeds:\n  osm_0_1:\n    caches: [osm_cache]\n    levels:\n      to: 1\n';
/** Families a complete seed metrics page always has (the last ones prom-client writes included). */
const FAMILIES = [
  'mapproxy_seed_run_running',
  'mapproxy_seed_run_start_timestamp_seconds',
  'mapproxy_seed_run_elapsed_seconds',
  'mapproxy_seed_run_dry_run',
  'mapproxy_upstream_requests_total',
  'mapproxy_tiles_created_total',
];

/**
 * Parses the Prometheus text format strictly: every line a comment or `series value`, HELP and
 * TYPE for each family, a final newline. Throws on anything a cut-off file would show.
 */
function parseMetrics(text: string): Map<string, number> {
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][\w:]*) (.+)$/.exec(line);
    if (comment !== null) {
      if (comment[1] === 'TYPE') typed.add(comment[2] ?? '');
      continue;
    }
    const sample = /^([a-zA-Z_:][\w:]*)(\{(?:[a-zA-Z_]\w*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$/.exec(line);
    assert.ok(sample !== null, `a sample line: ${line}`);
    const value = Number(sample[3]);
    assert.ok(!Number.isNaN(value) || sample[3] === 'NaN', `a number: ${line}`);
    samples.set(`${sample[1] ?? ''}${sample[2] ?? ''}`, value);
  }
  for (const family of FAMILIES) assert.ok(typed.has(family), `family ${family} present`);
  return samples;
}

/** The process-wide counters right now (seeding in this process adds to them). */
async function counters(): Promise<Map<string, number>> {
  const text = await metricsText();
  return new Map(
    text
      .split('\n')
      .filter((l) => !l.startsWith('#') && l !== '')
      .map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]),
  );
}

interface SeedSetup {
  readonly dir: string;
  readonly upstream: Upstream;
  /** Opens the upstream: until then every tile request waits. */
  readonly release: () => void;
}

/** The operations tile-cache fixture and a seed.yaml for its levels 0-1; tile answers wait for `release`. */
async function setUp(t: TestContext, reply?: UpstreamHandler): Promise<SeedSetup> {
  const gate = deferred();
  // a test that failed with the gate closed must not leave its seed run waiting
  t.after(() => {
    gate.resolve();
  });
  const png = await solidPng([0, 128, 255, 255]);
  const answer: UpstreamHandler = async (request) => {
    await gate.promise;
    const r = reply ?? png;
    return typeof r === 'function' ? r(request) : r;
  };
  const upstream = await startUpstream(t, Object.fromEntries(TILES.map((tile) => [tile, answer])));
  const config = await copyFixture(t, 'operations/tile-cache.yaml', {
    UPSTREAM_URL: upstream.url,
    CACHE_DIR: './cache_data',
    METRICS_ENABLED: 'true',
    METRICS_PATH: '/metrics',
  });
  const dir = dirname(config);
  await writeFile(join(dir, 'seed.yaml'), SEED_YAML);
  return {
    dir,
    upstream,
    release: () => {
      gate.resolve();
    },
  };
}

/** Resolves with the first version of `file` (rewritten by rename) for which `accept` holds. */
async function nextVersion(file: string, accept: (samples: Map<string, number>) => boolean): Promise<Map<string, number>> {
  const abort = new AbortController();
  const changes = watch(dirname(file), { signal: abort.signal });
  try {
    for (;;) {
      const text = await readFile(file, 'utf8').catch(() => null);
      if (text !== null) {
        const samples = parseMetrics(text);
        if (accept(samples)) return samples;
      }
      // the next rename into the directory (or any change there); then read again
      for await (const change of changes) if (change.filename === 'seed.prom') break;
    }
  } finally {
    abort.abort();
  }
}

const seedArgs = (...more: string[]): string[] => [
  'seed', '-f', 'tile-cache.yaml', '-s', 'seed.yaml', '--metrics-file', 'seed.prom', '--metrics-interval', '20', ...more,
];

test('--metrics-file shows the task working while it waits on the upstream, and success at the end', async (t) => {
  const { dir, upstream, release } = await setUp(t);
  const before = await counters();
  const startedS = Date.now() / 1000;
  const run = runCommand(seedArgs(), { cwd: dir });
  await upstream.waitForRequests(1);
  const file = join(dir, 'seed.prom');
  const during = await nextVersion(file, (s) => s.has(`mapproxy_seed_task_progress_ratio${TASK}`));
  assert.equal(during.get('mapproxy_seed_run_running'), 1);
  assert.equal(during.get('mapproxy_seed_run_tasks'), 1);
  assert.equal(during.get('mapproxy_seed_run_dry_run'), 0);
  assert.equal(during.get(`mapproxy_seed_task_tiles_planned${TASK}`), 5);
  assert.equal(during.get(`mapproxy_seed_task_tiles_done${TASK}`), 0, 'the first tile is still being fetched');
  assert.equal(during.get(`mapproxy_seed_task_complete${TASK}`), 0);
  assert.ok((during.get(`mapproxy_seed_task_progress_ratio${TASK}`) ?? 1) < 1);
  assert.equal(during.has('mapproxy_seed_run_success'), false, 'no success or failure while it runs');
  assert.equal(during.has('mapproxy_seed_run_end_timestamp_seconds'), false);
  const start = during.get('mapproxy_seed_run_start_timestamp_seconds') ?? 0;
  assert.ok(start >= Math.floor(startedS) && start <= Date.now() / 1000, `start ${String(start)}`);

  release();
  const result = await run;
  assert.equal(result.code, 0, result.stderr);
  const after = parseMetrics(await readFile(file, 'utf8'));
  const endedS = Date.now() / 1000;
  assert.equal(after.get('mapproxy_seed_run_running'), 0);
  assert.equal(after.get('mapproxy_seed_run_success'), 1);
  assert.equal(after.get('mapproxy_seed_run_status{status="done"}'), 1);
  assert.equal(after.get('mapproxy_seed_run_tasks_done'), 1);
  const end = after.get('mapproxy_seed_run_end_timestamp_seconds') ?? 0;
  assert.ok(end >= start && end <= endedS, `end ${String(end)}`);
  assert.ok((after.get('mapproxy_seed_run_elapsed_seconds') ?? -1) >= 0);
  assert.equal(after.get(`mapproxy_seed_task_progress_ratio${TASK}`), 1);
  assert.equal(after.get(`mapproxy_seed_task_tiles_done${TASK}`), 5);
  assert.equal(after.get(`mapproxy_seed_task_meta_tiles_done${TASK}`), 5);
  assert.equal(after.get(`mapproxy_seed_task_failed_meta_tiles${TASK}`), 0);
  assert.equal(after.get(`mapproxy_seed_task_complete${TASK}`), 1);
  assert.equal(after.get(`mapproxy_seed_task_eta_seconds${TASK}`), 0);
  assert.equal(after.get(`mapproxy_seed_task_level${TASK}`), 1);
  // the engine's own counters, as the server counts them, moved by exactly this run
  const moved = (series: string): number => (after.get(series) ?? 0) - (before.get(series) ?? 0);
  assert.equal(moved(`mapproxy_tiles_created_total{cache="${CACHE}"}`), 5);
  assert.equal(moved(`mapproxy_upstream_requests_total{source="${SOURCE}"}`), 5);
  assert.equal(moved(`mapproxy_upstream_errors_total{source="${SOURCE}"}`), 0);
  for (const tile of TILES) assert.equal(upstream.count(tile), 1, tile);
});

test('--metrics-file is replaced whole: every version read during the run parses, no temp file stays', async (t) => {
  const { dir, upstream, release } = await setUp(t);
  const run = runCommand(seedArgs(), { cwd: dir });
  await upstream.waitForRequests(1);
  const file = join(dir, 'seed.prom');
  // 20 rewrites (one each 20 ms), each read as soon as it is renamed into place
  let versions = 0;
  let elapsed = -1;
  await nextVersion(file, (s) => {
    const seconds = s.get('mapproxy_seed_run_elapsed_seconds') ?? -1;
    if (seconds !== elapsed) versions += 1;
    elapsed = seconds;
    return versions >= 20;
  });
  release();
  assert.equal((await run).code, 0);
  const names = await readdir(dir);
  assert.deepEqual(names.filter((n) => n.startsWith('seed.prom')), ['seed.prom'], 'no temp file left beside it');
  assert.equal(parseMetrics(await readFile(file, 'utf8')).get('mapproxy_seed_run_success'), 1);
});

test('a run whose tiles fail ends with success 0, status failed and its failures counted', async (t) => {
  const { dir, release } = await setUp(t, { status: 500, body: 'broken' });
  release();
  const before = await counters();
  const result = await runCommand(seedArgs('--retries', '0'), { cwd: dir });
  assert.equal(result.code, 1, result.stderr);
  const after = parseMetrics(await readFile(join(dir, 'seed.prom'), 'utf8'));
  assert.equal(after.get('mapproxy_seed_run_success'), 0);
  assert.equal(after.get('mapproxy_seed_run_status{status="failed"}'), 1);
  assert.equal(after.has('mapproxy_seed_run_status{status="done"}'), false);
  assert.equal(after.get('mapproxy_seed_run_running'), 0);
  assert.ok((after.get('mapproxy_seed_run_end_timestamp_seconds') ?? 0) > 0);
  // a failed tile does not stop the walk: all five are tried
  assert.equal(after.get(`mapproxy_seed_task_failed_meta_tiles${TASK}`), 5);
  assert.equal(after.get(`mapproxy_seed_task_tiles_done${TASK}`), 0);
  const moved = (series: string): number => (after.get(series) ?? 0) - (before.get(series) ?? 0);
  assert.equal(moved(`mapproxy_upstream_errors_total{source="${SOURCE}"}`), 5);
});

test('a run that cannot start (unknown cache in seed.yaml) ends with status error', async (t) => {
  const { dir } = await setUp(t);
  await writeFile(join(dir, 'seed.yaml'), 'seeds:\n  broken:\n    caches: [no_such_cache]\n    levels: [0]\n');
  const result = await runCommand(seedArgs(), { cwd: dir });
  assert.equal(result.code, 2, result.stderr);
  const after = parseMetrics(await readFile(join(dir, 'seed.prom'), 'utf8'));
  assert.equal(after.get('mapproxy_seed_run_success'), 0);
  assert.equal(after.get('mapproxy_seed_run_status{status="error"}'), 1);
  assert.equal(after.get('mapproxy_seed_run_running'), 0);
});

test('--metrics-bind serves /metrics while the run works and stops with it', async (t) => {
  const { dir, upstream, release } = await setUp(t);
  const listening = deferred<string>();
  const run = runSeed({
    proxyConfigFile: join(dir, 'tile-cache.yaml'),
    seedConfigFile: join(dir, 'seed.yaml'),
    retries: 0,
    metrics: { bind: { host: '127.0.0.1', port: 0 } },
    onEvent: (event: SeedEvent) => {
      if (event.type === 'note' && event.message.startsWith('metrics at ')) listening.resolve(event.message.slice(11));
    },
  });
  const url = await listening.promise;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  await upstream.waitForRequests(1);
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const during = parseMetrics(await res.text());
  assert.equal(during.get('mapproxy_seed_run_running'), 1);
  assert.equal(during.get(`mapproxy_seed_task_tiles_planned${TASK}`), 5);
  assert.equal((await fetch(url.replace('/metrics', '/other'))).status, 404);
  release();
  assert.equal((await run).status, 'done');
  await assert.rejects(fetch(url), TypeError, 'the endpoint closed with the run');
});

test("a server's /metrics shows no seed series, even in a process that seeded", async (t) => {
  const { dir, release } = await setUp(t);
  release();
  const result = await runSeed({
    proxyConfigFile: join(dir, 'tile-cache.yaml'),
    seedConfigFile: join(dir, 'seed.yaml'),
    metrics: { file: join(dir, 'seed.prom') },
  });
  assert.equal(result.status, 'done');
  const upstream = await startUpstream(t);
  const proxy = await startProxy(t, 'operations/tile-cache.yaml', {
    UPSTREAM_URL: upstream.url, CACHE_DIR: './cache_data', METRICS_ENABLED: 'true', METRICS_PATH: '/metrics',
  });
  const text = await (await fetch(`${proxy.url}/metrics`)).text();
  assert.match(text, /^mapproxy_tiles_created_total\{cache="osm_cache_GLOBAL_WEBMERCATOR"\} \d+$/m);
  assert.doesNotMatch(text, /mapproxy_seed_/);
});

test('a malformed --metrics-bind is a usage error naming that option, before anything is seeded', async (t) => {
  const { dir, upstream } = await setUp(t);
  const result = await runCommand(['seed', '-f', 'tile-cache.yaml', '-s', 'seed.yaml', '--metrics-bind', 'localhost:http'], { cwd: dir });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /invalid --metrics-bind value "localhost:http": expected PORT, HOST or HOST:PORT/);
  assert.equal(upstream.requests.length, 0);
});

test('a --metrics-file where no directory can be made fails at once, naming the file (under /proc mkdir -p never ended)', async (t) => {
  const { dir, upstream } = await setUp(t);
  for (const file of ['/proc/no-such-process/seed.prom', join(dir, 'tile-cache.yaml', 'seed.prom')]) {
    const result = await runCommand(['seed', '-f', 'tile-cache.yaml', '-s', 'seed.yaml', '--metrics-file', file], { cwd: dir });
    assert.equal(result.code, 1, result.stderr);
    assert.ok(result.stderr.includes(file), result.stderr);
  }
  assert.equal(upstream.requests.length, 0);
});

test('a run stopped by --duration exits 0 as MapProxy, but its metrics say interrupted, not success', async (t) => {
  // the upstream never answers: the time limit ends the run (and nothing is written after it)
  const { dir, upstream } = await setUp(t, { hang: true });
  const result = await runCommand(seedArgs('--duration', '1s'), { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.ok(upstream.requests.length >= 1);
  const after = parseMetrics(await readFile(join(dir, 'seed.prom'), 'utf8'));
  assert.equal(after.get('mapproxy_seed_run_success'), 0);
  assert.equal(after.get('mapproxy_seed_run_status{status="interrupted"}'), 1);
  assert.equal(after.get(`mapproxy_seed_task_complete${TASK}`), 0);
  assert.ok((after.get(`mapproxy_seed_task_progress_ratio${TASK}`) ?? 1) < 1);
});

test('tiles planned bound the tiles a seed writes, whole meta tiles included (dry run, bbox and polygon coverages)', async (t) => {
  const dir = await makeTempDir(t, 'seed-metrics-');
  for (const f of ['seed.yaml', 'world.geojson', 'area.wkt']) await cp(join(FIXTURES_DIR, 'seed', f), join(dir, f));
  const yaml = await readFile(join(FIXTURES_DIR, 'seed/mapproxy.yaml'), 'utf8');
  // a dry run never reaches the upstream (nothing listens on port 9)
  await writeFile(join(dir, 'mapproxy.yaml'), yaml.replaceAll('${UPSTREAM_URL}', 'http://127.0.0.1:9'));
  const result = await runCommand(
    ['seed', '-f', 'mapproxy.yaml', '-s', 'seed.yaml', '--seed', 'world,europe', '-n', '--metrics-file', 'seed.prom'],
    { cwd: dir },
  );
  assert.equal(result.code, 0, result.stderr);
  const after = parseMetrics(await readFile(join(dir, 'seed.prom'), 'utf8'));
  assert.equal(after.get('mapproxy_seed_run_dry_run'), 1);
  const world = '{task="world",kind="seed",cache="world_cache",grid="GLOBAL_WEBMERCATOR",levels="0-4"}';
  const europe = '{task="europe",kind="seed",cache="poly_cache",grid="GLOBAL_GEODETIC",levels="3-7"}';
  // the whole grid (a bbox): exactly the 341 tiles the dry run counts
  assert.equal(after.get(`mapproxy_seed_task_tiles_planned${world}`), 341);
  assert.equal(after.get(`mapproxy_seed_task_tiles_done${world}`), 341);
  // a GeoJSON polygon in 2x2 meta tiles: 11 meta tiles of 4 tiles each are written
  assert.equal(after.get(`mapproxy_seed_task_tiles_done${europe}`), 44);
  assert.ok((after.get(`mapproxy_seed_task_tiles_planned${europe}`) ?? 0) >= 44);
});
