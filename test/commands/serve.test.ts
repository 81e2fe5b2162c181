/** `mapproxy-util serve` and `serve-multiapp-develop`: exit codes and messages; serving is in test/system. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { CLI_ARGV, runCommand } from '../helpers/cli.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { startServe } from '../helpers/front-proxy.js';
import { childPids, isRunning } from '../helpers/processes.js';
import { atTestEnd } from '../helpers/test-end.js';

test('serve: a broken configuration exits 2 before any worker starts', async () => {
  const result = await runCommand([
    'serve',
    join(FIXTURES_DIR, 'config', 'unknown-ref.yaml'),
    '-w',
    '2',
    '-b',
    '127.0.0.1:0',
  ]);
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /unknown-ref\.yaml:17:13 caches\.osm_cache\.grids\[0\]: unknown grid "webmerc"/,
  );
  assert.doesNotMatch(result.stdout, /worker \d+ started/);
});

test('serve: a script without an application export exits 1', async (t) => {
  const script = join(await makeTempDir(t), 'app.mjs');
  await writeFile(script, 'export const nothing = 1;\n');
  const result = await runCommand(['serve', script, '-b', '127.0.0.1:0']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /does not export an "application" request handler/);
});

test('serve and serve-develop: a broken --log-config exits 2 naming the section', async (t) => {
  const ini = join(await makeTempDir(t), 'log.ini');
  await writeFile(
    ini,
    '[loggers]\nkeys=root\n[handlers]\nkeys=x\n[formatters]\nkeys=\n[logger_root]\nhandlers=x\n[handler_x]\nclass=SMTPHandler\n',
  );
  for (const command of ['serve', 'serve-develop']) {
    const result = await runCommand([
      command,
      join(FIXTURES_DIR, 'config', 'valid.yaml'),
      '--log-config',
      ini,
      '-b',
      '127.0.0.1:0',
    ]);
    assert.equal(result.code, 2, command);
    assert.match(result.stderr, /\[handler_x\]: unsupported handler class "SMTPHandler"/, command);
  }
});

test('serve and serve-develop: an address in use is one message with the fix, exit 1', async (t) => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.after(() => taken.close());
  const { port } = taken.address() as { port: number };
  for (const command of [['serve', '-w', '2'], ['serve-develop']]) {
    const result = await runCommand([
      ...command,
      join(FIXTURES_DIR, 'config', 'valid.yaml'),
      '-b',
      `127.0.0.1:${String(port)}`,
    ]);
    assert.equal(result.code, 1, command[0]);
    // serve said "error: Error: bind EADDRINUSE 127.0.0.1:PORT", without the hint
    assert.match(
      result.stderr,
      new RegExp(
        `error: cannot listen on 127\\.0\\.0\\.1:${String(port)}: .*EADDRINUSE.*\nhint: give another address with -b HOST:PORT`,
      ),
      command[0],
    );
  }
});

test('serve-multiapp-develop: a missing directory is a usage error', async () => {
  const result = await runCommand(['serve-multiapp-develop', '/nonexistent/projects']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /nonexistent/);
});

test('serve and serve-develop: an IPv6 address is written in brackets, in messages and URLs', async (t) => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '::1', resolve));
  t.after(() => taken.close());
  const { port } = taken.address() as { port: number };
  for (const command of [['serve', '-w', '1'], ['serve-develop']]) {
    const result = await runCommand([
      ...command,
      join(FIXTURES_DIR, 'config', 'valid.yaml'),
      '-b',
      `[::1]:${String(port)}`,
    ]);
    assert.equal(result.code, 1, command[0]);
    // it was "cannot listen on ::1:PORT"
    assert.match(
      result.stderr,
      new RegExp(`error: cannot listen on \\[::1\\]:${String(port)}: .*EADDRINUSE`),
      command[0],
    );
  }
  // and served there: "Running on http://[::1]:PORT/" (it was http://::1:PORT/)
  for (const [command, args] of [
    ['serve', ['-w', '1']],
    ['serve-develop', []],
  ] as const) {
    const served = await startServe(
      t,
      [join(FIXTURES_DIR, 'config', 'valid.yaml'), ...args, '-b', '[::1]:0'],
      { command },
    );
    assert.match(served.url, /^http:\/\/\[::1\]:\d+$/, command);
    assert.equal((await fetch(`${served.url}/`)).status, 200, command);
  }
});

test('serve: SIGTERM while the workers start stops them, then the primary ends by the signal', async (t) => {
  const child = spawn(
    process.execPath,
    [...CLI_ARGV, 'serve', join(FIXTURES_DIR, 'config', 'valid.yaml'), '-w', '2', '-b', '127.0.0.1:0'],
    { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  atTestEnd(t, () => child.kill('SIGKILL'));
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exit = once(child, 'exit');
  // the first worker forked: a worker takes a few hundred ms to load the configuration and listen
  let workers: number[] = [];
  while (workers.length === 0 && child.exitCode === null) {
    workers = await childPids(child.pid ?? 0);
    if (workers.length === 0) await delay(5);
  }
  assert.ok(workers.length > 0, output);
  child.kill('SIGTERM');
  const [code, signal] = (await exit) as [number | null, NodeJS.Signals | null];
  // as without a handler (a service manager sees a stop), but with no worker left behind: they
  // were orphans that died on the closed channel with an EPIPE trace
  assert.deepEqual({ code, signal }, { code: null, signal: 'SIGTERM' }, output);
  for (const pid of workers) assert.equal(await isRunning(pid), false, `worker ${String(pid)} still runs`);
  assert.match(output, /stopping: SIGTERM before the workers listened/);
  assert.doesNotMatch(output, /EPIPE|Running on/);
});

test('serve: SIGTERM during a reload stops the new worker too, and the primary ends', async (t) => {
  const serve = await startServe(t, [join(FIXTURES_DIR, 'config', 'valid.yaml'), '-w', '1']);
  const primary = serve.child.pid ?? 0;
  const [old] = await childPids(primary);
  const exit = once(serve.child, 'exit');
  serve.child.kill('SIGHUP');
  // the reload's new worker forked, not yet listening
  let workers: number[] = [];
  while (workers.length < 2) {
    workers = await childPids(primary);
    if (workers.length < 2) await delay(5);
  }
  serve.child.kill('SIGTERM');
  // it was left serving, and the primary waited for it for good
  const ended = await Promise.race([exit.then(() => true), delay(20_000).then(() => false)]);
  assert.ok(ended, `the primary still runs after 20 s:\n${serve.output()}`);
  for (const pid of workers) assert.equal(await isRunning(pid), false, `worker ${String(pid)} still runs`);
  assert.ok(old !== undefined && workers.includes(old));
  assert.match(serve.output(), /reload ended by the stop/);
});
