/**
 * Node flags and allocator settings of the `serve` worker processes: the primary's own, plus a
 * small young generation and a tighter glibc malloc unless the user sets them.
 */

/**
 * V8's default lets each worker's new space grow to 16 MB semi-spaces, which a WMS worker fills
 * with short-lived request garbage: measured on the bench (`serve -w 1`, 96 maps 512x512), peak
 * RSS per worker went from ~270 to ~200 MB with 2 MB semi-spaces at the same CPU per map.
 */
const SEMI_SPACE_MB = 2;

/** `execArgv` with `--max-semi-space-size=2` added when no `--max-semi-space-size` is given. */
export function workerNodeFlags(execArgv: readonly string[]): string[] {
  const given = execArgv.some((flag) => /^--max[-_]semi[-_]space[-_]size(=|$)/.test(flag));
  return given ? [...execArgv] : [...execArgv, `--max-semi-space-size=${SEMI_SPACE_MB}`];
}

/**
 * glibc malloc tunables of a worker. Measured on the bench (dist, `serve -w 2`, MapServer upstream,
 * malloc_info through gdb after the WMS load): each worker had 13 malloc arenas (one per thread
 * that allocates: libuv, libvips, V8 and the image threads) holding 108-133 MB, of which 82-103 MB
 * were free chunks glibc kept resident. Two arenas, and large blocks (128 kB and up, i.e. image
 * buffers) always given their own mapping so that freeing them returns them (glibc starts at 128 kB
 * but raises the threshold up to 32 MB after the first large free), left 26-30 MB with ~10 MB free:
 * peak RSS per worker 161-176 -> 136-139 MB on tile hits, 210-227 -> 162-172 MB on WMS GetMap in
 * EPSG:3857/4326, at the same CPU per map (bench/cpu.ts, paired). GLIBC_TUNABLES rather than
 * MALLOC_ARENA_MAX: sharp raises libvips' threads per operation from 1 to all cores when it sees
 * MALLOC_ARENA_MAX. Elsewhere than glibc the variable means nothing.
 */
const MALLOC_TUNABLES = [
  { tunable: 'glibc.malloc.arena_max', value: '2', legacy: 'MALLOC_ARENA_MAX' },
  { tunable: 'glibc.malloc.mmap_threshold', value: String(128 * 1024), legacy: 'MALLOC_MMAP_THRESHOLD_' },
] as const;

/**
 * What a worker's environment adds to `env` (the primary's): `GLIBC_TUNABLES` with the malloc
 * settings above appended to the user's own, each only when the user set neither the tunable nor
 * its older variable; empty when there is nothing to add.
 */
export function workerAllocatorEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const given = env.GLIBC_TUNABLES ?? '';
  const isSet = (tunable: string): boolean => given.split(':').some((entry) => entry.startsWith(`${tunable}=`));
  const added = MALLOC_TUNABLES.filter(({ tunable, legacy }) => !isSet(tunable) && env[legacy] === undefined).map(
    ({ tunable, value }) => `${tunable}=${value}`,
  );
  if (added.length === 0) return {};
  return { GLIBC_TUNABLES: [...(given === '' ? [] : [given]), ...added].join(':') };
}
