/**
 * `mapproxy-util seed` run-time flags against an in-test WMS: -i, --duration, --reseed-file/-interval,
 * -q, --log-config, --use-cache-lock, --skip-uncached and retries (MapProxy 1.15 seed/script.py).
 * The commands run in this process (`runCommand`); two runs at once (--use-cache-lock) and the
 * process-wide logging setup of --log-config run as real processes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { CLI_ARGV, runCli, runCommand, type CliResult } from '../helpers/cli.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { deferred, solidPng, startUpstream, type Upstream, type UpstreamRequest } from '../helpers/upstream.js';

/** A WMS answer of the requested size. */
async function wmsImage(request: UpstreamRequest): Promise<Buffer> {
  const width = Number(request.query.get('WIDTH') ?? request.query.get('width'));
  const height = Number(request.query.get('HEIGHT') ?? request.query.get('height'));
  return solidPng([0, 128, 255], [width, height]);
}

const srsOf = (request: UpstreamRequest): string =>
  request.query.get('SRS') ?? request.query.get('srs') ?? request.query.get('CRS') ?? '';

/** seed/mapproxy.yaml pointing at `upstream`, and `seedYaml` as seed.yaml, in a fresh directory. */
async function seedDir(t: TestContext, upstream: Upstream | null, seedYaml: string): Promise<string> {
  const dir = await makeTempDir(t, 'seed-flags-');
  const yaml = await readFile(join(FIXTURES_DIR, 'seed/mapproxy.yaml'), 'utf8');
  // port 9: nothing listens, for runs that must not reach any upstream
  await writeFile(join(dir, 'mapproxy.yaml'), yaml.replaceAll('${UPSTREAM_URL}', upstream?.url ?? 'http://127.0.0.1:9'));
  await writeFile(join(dir, 'seed.yaml'), seedYaml);
  return dir;
}

const SEED = ['seed', '-f', 'mapproxy.yaml', '-s', 'seed.yaml'];
const WORLD_0 = 'seeds:\n  a:\n    caches: [world_cache]\n    levels: [0]\n';
const WORLD_POLY_0 = `${WORLD_0}  b:\n    caches: [poly_cache]\n    levels: [0]\n`;

interface RunningCli {
  readonly result: Promise<CliResult>;
  /** Resolves once stdout matched `pattern`. */
  stdoutMatches(pattern: RegExp): Promise<void>;
}

/** `runCli`, but running in the background. */
function startCli(args: readonly string[], cwd: string): RunningCli {
  const child = spawn(process.execPath, [...CLI_ARGV, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 30_000,
  });
  let stdout = '';
  let stderr = '';
  const watchers: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const w of watchers.filter((w) => w.pattern.test(stdout))) {
      watchers.splice(watchers.indexOf(w), 1);
      w.resolve();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end();
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
  return {
    result,
    stdoutMatches: (pattern) =>
      pattern.test(stdout) ? Promise.resolve() : new Promise((resolve) => watchers.push({ pattern, resolve })),
  };
}

/** The .png files below `dir`. */
async function pngFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith('.png')).map((e) => join(dir, e));
}

test('-i asks about every task before seeding, again on other answers, and runs only y/yes', async (t) => {
  const upstream = await startUpstream(t, { '/service': wmsImage });
  const dir = await seedDir(t, upstream, WORLD_POLY_0);
  const result = await runCommand([...SEED, '-i'], { cwd: dir, input: 'maybe\nN\nYes\n' });
  assert.equal(result.code, 0, result.stderr);
  const prompts = result.stdout.match(/ {4}Seed this task \(y\/n\)\? /g) ?? [];
  assert.equal(prompts.length, 3); // task a twice ("maybe" is no answer), task b once
  assert.match(result.stdout, /^========== Select seeding tasks ==========$/m);
  // every question comes before the first task starts
  assert.ok(result.stdout.lastIndexOf('(y/n)?') < result.stdout.indexOf('[1/1] seed b'), result.stdout);
  assert.doesNotMatch(result.stdout, /seed a: world_cache \/ GLOBAL_WEBMERCATOR levels/);
  assert.deepEqual(upstream.requests.map(srsOf), ['EPSG:4326']); // only poly_cache (task b)
});

test('-i exits 1 when standard input ends before every task is answered', async (t) => {
  const dir = await seedDir(t, null, WORLD_POLY_0);
  const result = await runCommand([...SEED, '-i'], { cwd: dir, input: 'n\n' });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /no answer: standard input ended/);
  assert.doesNotMatch(result.stdout, /\[1\/\d\]/);
});

test('--duration stops seeding after the time, exits 0 like MapProxy and leaves the progress file', async (t) => {
  let first = true;
  const upstream = await startUpstream(t, {
    '/service': async (request) => {
      // the first meta tile outlasts --duration (held for longer than the whole duration after it
      // arrived, so the time is up whenever the seed started); no further meta tile may start.
      // --duration leaves the seed's start-up 1 s to send that request even on a loaded machine
      if (first) await delay(1500);
      first = false;
      return wmsImage(request);
    },
  });
  const dir = await seedDir(t, upstream, 'seeds:\n  p:\n    caches: [poly_cache]\n    levels: [0, 1, 2, 3]\n');
  const result = await runCommand([...SEED, '-c', '1', '--duration', '1s', '--progress-file', 'progress'], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^exiting\.\.\./m);
  assert.equal(upstream.requests.length, 1);
  assert.ok((await stat(join(dir, 'progress'))).isFile());
});

test('--duration with an invalid value is a usage error naming the option (exit 2)', async (t) => {
  const dir = await seedDir(t, null, WORLD_0);
  const result = await runCommand([...SEED, '--duration', 'soon'], { cwd: dir });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /option --duration: invalid duration value: 'soon'/);
});

/** `<dir>/reseed.time`, last modified `ageMs` ago. */
async function agedReseedFile(dir: string, ageMs: number): Promise<{ path: string; mtime: Date }> {
  const path = join(dir, 'reseed.time');
  const mtime = new Date(Date.now() - ageMs);
  await writeFile(path, '');
  await utimes(path, mtime, mtime);
  return { path, mtime };
}

const RESEED_1H = [...SEED, '--reseed-file', 'reseed.time', '--reseed-interval', '1h'];

test('--reseed-interval: a younger --reseed-file with no pending progress exits 1 untouched', async (t) => {
  const dir = await seedDir(t, null, WORLD_0);
  const { path: reseed, mtime: tenMinutesAgo } = await agedReseedFile(dir, 600_000);
  const args = [...RESEED_1H, '--progress-file', 'progress'];
  const result = await runCommand(args, { cwd: dir });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /^no need for re-seeding$/m);
  assertUntouched((await stat(reseed)).mtimeMs, tenMinutesAgo);
});

test('--reseed-interval: an older --reseed-file is touched and the seed runs', async (t) => {
  const upstream = await startUpstream(t, { '/service': wmsImage });
  const dir = await seedDir(t, upstream, WORLD_0);
  const { path: reseed } = await agedReseedFile(dir, 7_200_000);
  const started = Date.now();
  const args = [...RESEED_1H, '--progress-file', 'progress'];
  const result = await runCommand(args, { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(upstream.requests.length, 1);
  assert.ok((await stat(reseed)).mtimeMs >= started - 1000, 'reseed file touched at the start');
});

test('--reseed-interval is only checked with a progress file and none pending (MapProxy)', async (t) => {
  const upstream = await startUpstream(t, { '/service': wmsImage });
  const dir = await seedDir(t, upstream, WORLD_0);
  const { path: reseed, mtime: tenMinutesAgo } = await agedReseedFile(dir, 600_000);
  // 1. no --progress-file/--continue: MapProxy never compares the times
  const plain = await runCommand(RESEED_1H, { cwd: dir });
  assert.equal(plain.code, 0, plain.stderr);
  // 2. a pending progress file: the interrupted round goes on
  await writeFile(join(dir, 'progress'), '{}');
  const pending = await runCommand([...RESEED_1H, '--progress-file', 'progress'], { cwd: dir });
  assert.equal(pending.code, 0, pending.stderr);
  assert.doesNotMatch(`${plain.stdout}${pending.stdout}`, /no need for re-seeding/);
  assertUntouched((await stat(reseed)).mtimeMs, tenMinutesAgo); // by neither run
  assert.equal(upstream.requests.length, 1); // the second run found the tile cached
});

test('--reseed-file is created when missing', async (t) => {
  const upstream = await startUpstream(t, { '/service': wmsImage });
  const dir = await seedDir(t, upstream, WORLD_0);
  const args = [...RESEED_1H, '--progress-file', 'progress'];
  const result = await runCommand(args, { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.ok((await stat(join(dir, 'reseed.time'))).isFile());
});

/** mtimes come back as floats with sub-millisecond noise. */
function assertUntouched(mtimeMs: number, set: Date): void {
  assert.ok(Math.abs(mtimeMs - set.getTime()) < 1, `mtime ${new Date(mtimeMs).toISOString()} changed`);
}

const PROGRESS_LINE = /^ {2}level \d+ \d+\.\d% \d+ tiles [\d.]+ tiles\/s/m;

test('without a terminal progress comes as plain lines; -q changes nothing there, -qq drops them', async (t) => {
  const upstream = await startUpstream(t, { '/service': wmsImage });
  // each run in its own directory, so each creates the same tiles
  const run = async (flags: readonly string[]): Promise<CliResult> => {
    const dir = await seedDir(t, upstream, 'seeds:\n  p:\n    caches: [poly_cache]\n    levels: [0, 1]\n');
    return runCommand([...SEED, ...flags], { cwd: dir });
  };
  const [plain, quiet, silent, silentLong] = await Promise.all([run([]), run(['-q']), run(['-qq']), run(['--quiet', '-q'])]);
  for (const result of [plain, quiet, silent, silentLong]) {
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\[1\/1\] seed p: poly_cache \/ GLOBAL_GEODETIC levels 0, 1$/m);
    assert.match(result.stdout, /^ {2}seed p: poly_cache \/ GLOBAL_GEODETIC: 2 meta tiles, 3 tiles/m);
    assert.doesNotMatch(result.stdout, /[\r✔✖⚠]/); // no spinner, no cursor control
    assert.ok(!result.stdout.includes('\u001b'), 'no escape sequences');
    assert.doesNotMatch(result.stdout, /mapproxy\.source\.request/); // MapProxy logs WARN and up only
  }
  assert.match(plain.stdout, PROGRESS_LINE);
  assert.match(quiet.stdout, PROGRESS_LINE);
  assert.doesNotMatch(silent.stdout, PROGRESS_LINE);
  assert.doesNotMatch(silentLong.stdout, PROGRESS_LINE);
});

test('--log-config with the log-ini template writes the source request lines to source-requests.log', async (t) => {
  const upstream = await startUpstream(t, { '/service': wmsImage });
  const dir = await seedDir(t, upstream, WORLD_0);
  const created = await runCommand(['create', '-t', 'log-ini', 'log.ini'], { cwd: dir });
  assert.equal(created.code, 0, created.stderr);
  // a real process: the log configuration is process-wide and its file is complete at exit
  const result = await runCli([...SEED, '--log-config', 'log.ini'], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  const log = await readFile(join(dir, 'source-requests.log'), 'utf8');
  const url = `${upstream.url}${upstream.requests[0]?.path ?? '?'}`;
  assert.match(log, new RegExp(`^\\[[^\\]]+\\] GET ${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} 200 [\\d.]+ \\d+$`, 'm'));
});

test('--use-cache-lock: a second seed skips a locked cache for now, then waits for it', async (t) => {
  const gate = deferred();
  const upstream = await startUpstream(t, {
    '/service': async (request) => {
      if (srsOf(request) === 'EPSG:3857') await gate.promise;
      return wmsImage(request);
    },
  });
  const dir = await seedDir(t, upstream, WORLD_POLY_0);
  // 1. run A holds world_cache while its only request hangs
  const a = startCli([...SEED, '--seed', 'a', '--use-cache-lock'], dir);
  await upstream.waitForRequests(1);
  // 2. run B finds world_cache locked, seeds poly_cache first, then waits on world_cache
  const b = startCli([...SEED, '--use-cache-lock'], dir);
  t.after(() => {
    gate.resolve(); // also when an assertion below failed
  });
  await b.stdoutMatches(/^\[1\/2\] seed \w+: /m);
  await upstream.waitForRequests(2);
  assert.deepEqual(upstream.requests.map(srsOf), ['EPSG:3857', 'EPSG:4326'], 'B seeds b while A holds world_cache');
  gate.resolve();
  const [resultA, resultB] = await Promise.all([a.result, b.result]);
  assert.equal(resultA.code, 0, resultA.stderr);
  assert.equal(resultB.code, 0, resultB.stderr);
  assert.match(resultB.stdout, /^ {2}a: \.\.\.cache is locked, skipping$/m);
  assert.match(resultB.stdout, /^\[2\/2\] seed a: /m);
  // B seeded world_cache only after A had filled it: one request per cache
  assert.deepEqual(upstream.requests.map(srsOf).sort(), ['EPSG:3857', 'EPSG:4326']);
});

test('--skip-uncached refreshes the stale tiles that exist and creates no others', async (t) => {
  const upstream = await startUpstream(t, { '/service': wmsImage });
  const seedYaml = `${WORLD_0}  refresh:\n    caches: [world_cache]\n    levels: [0, 1]\n    refresh_before:\n      days: 1\n`;
  const dir = await seedDir(t, upstream, seedYaml);
  const first = await runCommand([...SEED, '--seed', 'a'], { cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  const tiles = await pngFiles(join(dir, 'cache_data'));
  assert.equal(tiles.length, 1);
  const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
  for (const tile of tiles) await utimes(tile, twoDaysAgo, twoDaysAgo);
  const result = await runCommand([...SEED, '--seed', 'refresh', '--skip-uncached'], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(upstream.requests.length, 2);
  assert.equal(upstream.requests[1]?.query.get('BBOX') ?? upstream.requests[1]?.query.get('bbox'), upstream.requests[0]?.query.get('BBOX') ?? upstream.requests[0]?.query.get('bbox'));
  assert.deepEqual(await pngFiles(join(dir, 'cache_data')), tiles); // level 1 stays uncached
  assert.ok((await stat(tiles[0] ?? '')).mtimeMs > twoDaysAgo.getTime(), 'level 0 refreshed');
});

test('an upstream failing twice then answering is retried with backoff, logged, and the run succeeds', async (t) => {
  let failures = 0;
  const upstream = await startUpstream(t, {
    '/service': (request) => (failures++ < 2 ? { status: 500, body: 'busy' } : wmsImage(request)),
  });
  const dir = await seedDir(t, upstream, WORLD_0);
  const result = await runCommand([...SEED, '--retries', '3', '--retry-delay', '1'], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(upstream.requests.length, 3);
  const retries = [...result.stderr.matchAll(/^ {2}tile \(0, 0, 0\): retry in ([\d.]+)s, (\d) retries left: .+$/gm)];
  // backoff doubles from --retry-delay; MapProxy exp_backoff counts the retries left the same way
  assert.deepEqual(retries.map((m) => [m[1], m[2]]), [['0.001', '3'], ['0.002', '2']], result.stderr);
  assert.match(result.stdout, /1 meta tiles, 1 tiles, 0 removed, 0 failed/);
});
