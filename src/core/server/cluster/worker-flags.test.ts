import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workerAllocatorEnv, workerNodeFlags } from './worker-flags.js';

test('serve workers get 1 MB semi-spaces unless the command line sets a size', () => {
  assert.deepEqual(workerNodeFlags(['--enable-source-maps']), [
    '--enable-source-maps',
    '--max-semi-space-size=1',
  ]);
  assert.deepEqual(workerNodeFlags(['--max-semi-space-size=16']), ['--max-semi-space-size=16']);
  assert.deepEqual(workerNodeFlags(['--max_semi_space_size', '8']), ['--max_semi_space_size', '8']);
});

test('a worker entry run from src/ gets tsx once; a compiled one runs on plain node', () => {
  const tsx = import.meta.resolve('tsx');
  assert.deepEqual(workerNodeFlags([], '/app/src/worker-entry.ts'), [
    '--max-semi-space-size=1',
    '--import',
    tsx,
  ]);
  assert.deepEqual(workerNodeFlags(['--import', tsx], '/app/src/worker-entry.ts'), [
    '--import',
    tsx,
    '--max-semi-space-size=1',
  ]);
  assert.deepEqual(workerNodeFlags([], '/app/dist/worker-entry.js'), ['--max-semi-space-size=1']);
});

test('serve workers get a fixed 512 kB mmap threshold unless the user set one', () => {
  const ours = 'glibc.malloc.mmap_threshold=524288';
  assert.deepEqual(workerAllocatorEnv({}, 2), { GLIBC_TUNABLES: ours });
  // the user's other tunables are kept, ours appended
  assert.deepEqual(workerAllocatorEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=4' }, 2), {
    GLIBC_TUNABLES: `glibc.malloc.arena_max=4:${ours}`,
  });
  // a threshold the user set, as a tunable or as the older variable, is left alone
  assert.deepEqual(
    workerAllocatorEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=4:glibc.malloc.mmap_threshold=65536' }, 2),
    {},
  );
  assert.deepEqual(workerAllocatorEnv({ MALLOC_MMAP_THRESHOLD_: '65536' }, 2), {});
  // a longer tunable name that merely starts alike is not the same setting
  assert.deepEqual(workerAllocatorEnv({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold_x=1' }, 2), {
    GLIBC_TUNABLES: `glibc.malloc.mmap_threshold_x=1:${ours}`,
  });
});

test('a serve worker with one core or less gets one malloc arena unless the user set a number', () => {
  const threshold = 'glibc.malloc.mmap_threshold=524288';
  assert.deepEqual(workerAllocatorEnv({}, 1), { GLIBC_TUNABLES: `${threshold}:glibc.malloc.arena_max=1` });
  assert.deepEqual(workerAllocatorEnv({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=65536' }, 1), {
    GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=65536:glibc.malloc.arena_max=1',
  });
  // the user's own arena limit, as a tunable or as the older variable, is left alone
  assert.deepEqual(workerAllocatorEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=4' }, 1), {
    GLIBC_TUNABLES: `glibc.malloc.arena_max=4:${threshold}`,
  });
  assert.deepEqual(workerAllocatorEnv({ MALLOC_ARENA_MAX: '8' }, 1), { GLIBC_TUNABLES: threshold });
  assert.deepEqual(workerAllocatorEnv({ MALLOC_ARENA_MAX: '8', MALLOC_MMAP_THRESHOLD_: '65536' }, 1), {});
});
