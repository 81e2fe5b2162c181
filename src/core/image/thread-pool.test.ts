import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lazyPool, withoutBareTsxImports, withoutV8Flags } from './thread-pool.js';

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
  try {
    const outcome = await Promise.race([
      pool
        .get()
        .run({})
        .then(
          () => 'resolved',
          () => 'rejected',
        ),
      new Promise((resolve) => setTimeout(resolve, 10_000, 'still waiting')),
    ]);
    assert.equal(outcome, 'rejected');
  } finally {
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
