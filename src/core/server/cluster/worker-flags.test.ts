import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workerAllocatorEnv, workerNodeFlags } from './worker-flags.js';

test('serve workers get 2 MB semi-spaces unless the command line sets a size', () => {
  assert.deepEqual(workerNodeFlags(['--enable-source-maps']), ['--enable-source-maps', '--max-semi-space-size=2']);
  assert.deepEqual(workerNodeFlags(['--max-semi-space-size=16']), ['--max-semi-space-size=16']);
  assert.deepEqual(workerNodeFlags(['--max_semi_space_size', '8']), ['--max_semi_space_size', '8']);
});

test('serve workers get two malloc arenas and a fixed 128 kB mmap threshold unless the user set them', () => {
  const both = 'glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=131072';
  assert.deepEqual(workerAllocatorEnv({}), { GLIBC_TUNABLES: both });
  // the user's other tunables are kept, ours appended
  assert.deepEqual(workerAllocatorEnv({ GLIBC_TUNABLES: 'glibc.rtld.optional_static_tls=512' }), {
    GLIBC_TUNABLES: `glibc.rtld.optional_static_tls=512:${both}`,
  });
  // a setting the user made, as a tunable or as the older variable, is left alone
  assert.deepEqual(workerAllocatorEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=8' }), {
    GLIBC_TUNABLES: 'glibc.malloc.arena_max=8:glibc.malloc.mmap_threshold=131072',
  });
  assert.deepEqual(workerAllocatorEnv({ MALLOC_ARENA_MAX: '4' }), { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=131072' });
  assert.deepEqual(workerAllocatorEnv({ MALLOC_ARENA_MAX: '4', MALLOC_MMAP_THRESHOLD_: '65536' }), {});
  // a longer tunable name that merely starts alike is not the same setting
  assert.deepEqual(workerAllocatorEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max_x=1' }), {
    GLIBC_TUNABLES: `glibc.malloc.arena_max_x=1:${both}`,
  });
});
