/**
 * `mapproxy-util seed` on a terminal without width (plain lines instead of the spinner) and
 * stopped by SIGTERM/SIGINT mid-seed (prompt exit, a progress file that `--continue` resumes).
 * Those runs are real processes (a terminal, signals, the exit code of the process); the resuming
 * runs are in-process.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { CLI_ARGV, runCommand, type CliResult } from '../helpers/cli.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { deferred, solidPng, startUpstream, type Upstream, type UpstreamRequest } from '../helpers/upstream.js';

const SEED = ['seed', '-f', 'mapproxy.yaml', '-s', 'seed.yaml'];

/** A WMS answer of the requested size. */
function wmsImage(request: UpstreamRequest): Promise<Buffer> {
  return solidPng([0, 128, 255], [Number(request.query.get('width')), Number(request.query.get('height'))]);
}

/** seed/mapproxy.yaml pointing at `upstream`, with `seedYaml`, in a fresh directory. */
async function seedDir(t: TestContext, upstream: Upstream, seedYaml: string): Promise<string> {
  const dir = await makeTempDir(t, 'seed-signals-');
  const yaml = await readFile(join(FIXTURES_DIR, 'seed/mapproxy.yaml'), 'utf8');
  await writeFile(join(dir, 'mapproxy.yaml'), yaml.replaceAll('${UPSTREAM_URL}', upstream.url));
  await writeFile(join(dir, 'seed.yaml'), seedYaml);
  return dir;
}

async function pngFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(dir, 'cache_data'), { recursive: true }).catch(() => []);
  return entries.filter((e) => e.endsWith('.png') && !e.includes('.tmp-')).sort();
}

/** Output and exit code of `child` once it closed. */
function collect(child: ChildProcessByStdio<null, Readable, Readable>): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

const quote = (arg: string): string => `'${arg.replaceAll("'", `'\\''`)}'`;
const hasScript = spawnSync('script', ['--version']).status === 0;

test('a terminal with 0 columns gets plain progress lines and the seed finishes', { skip: !hasScript && 'needs script(1) from util-linux' }, async (t) => {
  const upstream = await startUpstream(t, { '/service': wmsImage });
  const dir = await seedDir(t, upstream, 'seeds:\n  p:\n    caches: [poly_cache]\n    levels: [0, 1, 2]\n');
  // the CLI on a pseudo-terminal that reports 0 columns (as `script`, `docker -t` or CI runners do);
  // `timeout` kills it should it spin (SIGTERM did not help then), since script(1) would not
  const cli = [process.execPath, ...CLI_ARGV, ...SEED].map(quote).join(' ');
  const inner = `stty cols 0 rows 24; exec timeout --foreground -s KILL 25 ${cli}`;
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
  delete env.CI; // ora draws nothing when CI is set
  const result = await collect(spawn('script', ['-qec', inner, '/dev/null'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  assert.equal(result.code, 0, `${result.stderr}\n${result.stdout.slice(0, 2000)}`);
  assert.ok(result.stdout.length < 10_000, `${result.stdout.length} bytes of output`);
  assert.match(result.stdout, /^ {2}seed p: poly_cache \/ GLOBAL_GEODETIC: 4 meta tiles, 11 tiles, 0 removed, 0 failed/m);
  assert.ok(!result.stdout.includes('\u001b[1A'), 'no cursor movement');
  assert.equal((await pngFiles(dir)).length, 11);
});

/**
 * Seeds world_cache levels 0-3 with -c 1: the upstream answers `answered` meta tiles, then hangs;
 * `signal` is sent while the next one waits. Returns the run and the time it took to exit.
 */
async function interruptSeed(
  t: TestContext,
  signal: 'SIGTERM' | 'SIGINT',
): Promise<{ dir: string; upstream: Upstream; result: CliResult; exitMs: number; answered: number; resume: () => void }> {
  const answered = 4;
  const hangReached = deferred();
  let hanging = true;
  const upstream = await startUpstream(t, {
    '/service': (request) => {
      if (hanging && upstream.requests.length > answered) {
        hangReached.resolve();
        return { hang: true };
      }
      return wmsImage(request);
    },
  });
  const dir = await seedDir(t, upstream, 'seeds:\n  world:\n    caches: [world_cache]\n    levels:\n      to: 3\n');
  const child = spawn(process.execPath, [...CLI_ARGV, ...SEED, '-c', '1', '--progress-file', 'progress.json'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  const finished = collect(child);
  // a seed that exits (or stalls) before the upstream hangs fails here instead of waiting out the
  // test timeout: the watchdog kills a stalled one, which ends `finished`
  const stalled = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const early = await Promise.race([hangReached.promise.then(() => null), finished]);
  clearTimeout(stalled);
  if (early !== null) assert.fail(`the seed ended (exit ${String(early.code)}) before the upstream hung:\n${early.stderr}`);
  const sent = Date.now();
  child.kill(signal);
  // a run that ignores the signal fails here instead of hanging the test
  const watchdog = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const result = await finished;
  clearTimeout(watchdog);
  return {
    dir,
    upstream,
    result,
    exitMs: Date.now() - sent,
    answered,
    resume: () => {
      hanging = false;
    },
  };
}

for (const [signal, exitCode] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
  test(`${signal} mid-seed exits ${exitCode} within seconds, and --continue seeds only what was missing`, async (t) => {
    const { dir, upstream, result, exitMs, answered, resume } = await interruptSeed(t, signal);
    assert.equal(result.code, exitCode, result.stderr);
    assert.ok(exitMs < 10_000, `exited ${exitMs} ms after ${signal}`);
    assert.match(result.stderr, new RegExp(`^interrupted by ${signal}\\.\\.\\. \\(continue with --continue\\)$`, 'm'));
    const stored = await pngFiles(dir);
    assert.ok(stored.length > 0, 'the answered meta tiles are stored');

    // the progress file points at the abandoned meta tile: nothing stored is requested again
    resume();
    const before = upstream.requests.length;
    const again = await runCommand([...SEED, '-c', '1', '--continue', '--progress-file', 'progress.json'], { cwd: dir });
    assert.equal(again.code, 0, again.stderr);
    // 7 meta tiles of 4x4 on levels 0-3 (1 + 1 + 1 + 4), holding 1 + 4 + 16 + 64 tiles (as
    // test/fixtures/seed/mapproxy-1.15.json "world" has them on those levels)
    assert.equal(upstream.requests.length - before, 7 - answered);
    assert.equal((await pngFiles(dir)).length, 85);
  });
}
