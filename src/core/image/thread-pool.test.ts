import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, stat, watch, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import {
  IMAGE_THREAD_IDLE_MS,
  lazyPool,
  threadIdleMs,
  withoutBareTsxImports,
  withoutV8Flags,
} from './thread-pool.js';

test('bare tsx imports are dropped from the workers flags, other flags and absolute loaders kept', () => {
  assert.deepEqual(
    withoutBareTsxImports([
      '--import',
      'tsx',
      '--max-old-space-size=512',
      '--import=tsx/esm',
      '--loader',
      'tsx',
      '--import',
      'file:///opt/app/node_modules/tsx/dist/esm/index.mjs',
      '--enable-source-maps',
      '-r',
      'tsx/cjs',
    ]),
    [
      '--max-old-space-size=512',
      '--import',
      'file:///opt/app/node_modules/tsx/dist/esm/index.mjs',
      '--enable-source-maps',
    ],
  );
});

test('a flag that only starts like tsx is kept', () => {
  assert.deepEqual(withoutBareTsxImports(['--import', 'tsx-extra', '--import=./tsx.mjs']), [
    '--import',
    'tsx-extra',
    '--import=./tsx.mjs',
  ]);
});

test('a worker that cannot start rejects its task instead of leaving it waiting', async () => {
  const pool = lazyPool('palette-worker', 'runPalettePng', 1, ['--import', 'no-such-loader-package']);
  let timer: NodeJS.Timeout | undefined;
  try {
    const outcome = await Promise.race([
      pool
        .get()
        .run({})
        .then(
          () => 'resolved',
          () => 'rejected',
        ),
      new Promise((resolve) => (timer = setTimeout(resolve, 10_000, 'still waiting'))),
    ]);
    assert.equal(outcome, 'rejected');
  } finally {
    // a pending timer would keep the test process alive for its 10 s
    clearTimeout(timer);
    await pool.close();
  }
});

test('V8 heap flags (refused by Node in a worker execArgv) are dropped, with a separate value', () => {
  assert.deepEqual(
    withoutV8Flags([
      '--max-semi-space-size=2',
      '--cpu-prof',
      '--max_old_space_size',
      '512',
      '--trace-gc',
      '--import',
      'x.mjs',
    ]),
    ['--cpu-prof', '--import', 'x.mjs'],
  );
});

/** Every file below `dir` (recursively) and whether it is empty. */
async function filesBelow(dir: string): Promise<{ readonly count: number; readonly empty: number }> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const sizes = await Promise.all(
    entries.filter((e) => e.isFile()).map(async (e) => (await stat(join(e.parentPath, e.name))).size),
  );
  return { count: sizes.length, empty: sizes.filter((size) => size === 0).length };
}

test("under tsx a worker thread finishes writing the compiled modules to tsx's cache", async (t) => {
  // The pool runs in a child under tsx (npm test runs this file compiled, whose workers load
  // JavaScript), so its workers load TypeScript; tsx keeps what it compiled below TMPDIR, which a
  // worker takes from the environment when it starts. The child sets it after its own tsx took
  // its cache directory, so only the worker's files land in `dir`, and keeps the idle thread
  // alive until it is killed.
  const dir = await mkdtemp(join(tmpdir(), 'thread-pool-tsx-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // a file beside `dir`, not in it, and not -e: the workers inherit the flags
  const scriptDir = await mkdtemp(join(tmpdir(), 'thread-pool-tsx-script-'));
  t.after(() => rm(scriptDir, { recursive: true, force: true }));
  const script = join(scriptDir, 'pool.mjs');
  const lines = [
    `import { lazyPool } from ${JSON.stringify(new URL('./thread-pool.ts', import.meta.url).href)};`,
    'process.env.TMPDIR = process.argv[2];',
    "const pool = lazyPool('palette-worker', 'runPalettePng', 1);",
    'const png = await pool.get().run({ data: new Uint8Array(4), width: 1, height: 1, colors: 256, withAlpha: false });',
    "process.stdout.write(Buffer.from(png.subarray(1, 4)).toString() + '\\n');",
    'setInterval(() => {}, 60_000);',
  ];
  await writeFile(script, lines.join('\n'));
  const settled = new AbortController();
  const changes = watch(dir, { recursive: true, signal: settled.signal });
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), script, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => {
    child.kill();
  });
  const exited = once(child, 'exit').then(([code]) => `exited with ${String(code)}`);
  const [line] = await Promise.race([
    once(createInterface({ input: child.stdout }), 'line'),
    exited.then((e) => [e]),
  ]);
  assert.equal(line, 'PNG');
  // a thread blocked between tasks (piscina's 'sync' atomics) leaves the cache files it opened
  // empty for ever, and every later thread compiles its modules again
  const complete = (files: { readonly count: number; readonly empty: number }): boolean =>
    files.count > 0 && files.empty === 0;
  const timeout = setTimeout(() => {
    settled.abort();
  }, 10_000);
  t.after(() => {
    clearTimeout(timeout);
  });
  try {
    if (!complete(await filesBelow(dir))) {
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      for await (const _change of changes) if (complete(await filesBelow(dir))) break;
    }
  } catch (error) {
    if (!(error instanceof Error && error.name === 'AbortError')) throw error;
  }
  settled.abort();
  const files = await filesBelow(dir);
  assert.ok(files.count > 0, 'the worker compiled its modules into the cache');
  assert.equal(files.empty, 0, `${String(files.empty)} of ${String(files.count)} cache files left empty`);
});

test('the resampling and palette pools run on the same threads, each within its own limit', async () => {
  const palette = lazyPool('palette-worker', 'warmUp', 2);
  const resample = lazyPool('resample-worker', 'runResample', 1);
  try {
    assert.equal(await palette.get().run(null), null);
    const [thread] = palette.get().threads;
    assert.ok(thread !== undefined);
    assert.deepEqual(resample.get().threads, [thread], 'the resampling pool sees the palette thread');
    // a palette task through the resampling pool's handle: the thread has both kinds of task
    assert.equal(await resample.get().run(null, { name: 'warmUp' }), null);
    // two tasks at once through a pool limited to 1: the second waits for the first, and the
    // idle thread takes it instead of a second thread starting
    await Promise.all([
      resample.get().run(null, { name: 'warmUp' }),
      resample.get().run(null, { name: 'warmUp' }),
    ]);
    assert.equal(resample.get().threads.length, 1);
    await palette.close();
    assert.equal(resample.get().threads.length, 1, 'kept while the other pool uses them');
  } finally {
    await palette.close();
    await resample.close();
  }
  assert.equal(resample.get().threads.length, 0, 'stopped once both pools are closed');
  await resample.close();
});

test('MAPPROXY_TS_THREAD_IDLE_MS sets the idle time in milliseconds; anything but a positive integer keeps 60 s', () => {
  assert.equal(threadIdleMs('500'), 500);
  for (const setting of [undefined, '', '0', '-5', '1.5', '1e3', ' 500', 'soon']) {
    assert.equal(threadIdleMs(setting), 60_000, String(setting));
  }
});

test('an image thread idle for 30 s is still there (a serve worker between cold meta tiles)', async (t) => {
  const pool = lazyPool('palette-worker', 'warmUp', 1);
  // piscina's idle timer is set with the global setTimeout when the task is done
  t.mock.timers.enable({ apis: ['setTimeout'] });
  try {
    assert.equal(await pool.get().run(null), null);
    assert.equal(pool.get().threads.length, 1);
    t.mock.timers.tick(30_000);
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(pool.get().threads.length, 1);
    t.mock.timers.tick(IMAGE_THREAD_IDLE_MS);
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(pool.get().threads.length, 0, 'it exits after IMAGE_THREAD_IDLE_MS');
  } finally {
    t.mock.timers.reset();
    await pool.close();
  }
});

test('a group uses one thread while at most one task waits for it, and a second when more queue', async () => {
  const pool = lazyPool('palette-worker', 'warmUp', 2);
  try {
    // two at once (the meta tiles of a `seed -c 2` finishing together): the second waits
    await Promise.all([pool.get().run(null), pool.get().run(null)]);
    assert.equal(pool.get().threads.length, 1);
    // three at once: two wait, and a second thread starts
    await Promise.all([pool.get().run(null), pool.get().run(null), pool.get().run(null)]);
    assert.equal(pool.get().threads.length, 2);
  } finally {
    await pool.close();
  }
});
