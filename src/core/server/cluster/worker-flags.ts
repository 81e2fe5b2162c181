/**
 * Node flags and allocator settings of the `serve` worker processes: the primary's own, plus a
 * small young generation and a fixed glibc mmap threshold unless the user sets them.
 */

/**
 * V8's default lets each worker's new space grow to 16 MB semi-spaces, which a WMS worker fills
 * with short-lived request garbage: measured on the bench (`serve -w 1`, 96 maps 512x512), peak
 * RSS per worker went from ~270 to ~200 MB with 2 MB semi-spaces at the same CPU per map.
 * Cached tile hits pay a little in scavenges (issue 13, serve -w 2 under wrk, paired runs on a
 * loaded machine): with 16 MB x0.87 the CPU a hit (median of 12 pair ratios, 0.63-1.24), for the
 * RSS above; 8 MB 0.036 and 4 MB 0.044 ms against 0.034 ms (medians of 7 rounds): no gain.
 * Fewer V8 helper threads (`--v8-pool-size=2` or `1`, default 4) did not lower the peak (3
 * alternating triples, medians: tile hits 140.0 / 135.2 / 150.7 MB, WMS 155.8 / 160.5 / 146.7 MB).
 * `--no-parallel-scavenge` (for shorter scavenges on 2 busy cores) cost CPU a hit: 0.040 -> 0.043 ms
 * (paired, 8 rounds: x1.11, 0.83-1.31), wrk's p99 no lower. 1 MB instead of 2 (issue 13, serve -w 2
 * before MapServer, each phase's first pass and load sampled apart, 3 alternating pairs, peak MB
 * per worker, medians): idle 83 -> 79 (all six runs), tms-hit load 118 -> 122, WMS loads 146 ->
 * 145, 151 -> 143, 155 -> 142 (runs 138-182 against 145-172); CPU ms a request not higher: hits
 * 0.046 -> 0.042, maps 6.8 -> 6.4, 8.8 -> 8.0, 9.9 -> 9.5.
 */
const SEMI_SPACE_MB = 1;

/**
 * `execArgv` with `--max-semi-space-size=1` added when no `--max-semi-space-size` is given, and
 * tsx's loader when the worker's main module `entry` is TypeScript (src/ run by bin/dev.js, which
 * registers tsx in its own process only) and no flag loads tsx already.
 */
export function workerNodeFlags(execArgv: readonly string[], entry = ''): string[] {
  const flags = [...execArgv];
  if (!flags.some((flag) => /^--max[-_]semi[-_]space[-_]size(=|$)/.test(flag)))
    flags.push(`--max-semi-space-size=${SEMI_SPACE_MB}`);
  if (entry.endsWith('.ts') && !flags.some((flag) => flag.includes('tsx')))
    flags.push('--import', import.meta.resolve('tsx'));
  return flags;
}

/**
 * glibc malloc tunables of a worker. glibc gives a block of 128 kB or more its own mapping, but
 * after the first such block is freed it raises that threshold (up to 32 MB), so from then on the
 * 1-4 MB image buffers of every map are recycled inside the malloc arenas (one per thread that
 * allocates: libuv, libvips, V8 and the image threads; 13 in a worker) and stay resident once freed.
 * Measured on the bench (dist, `serve -w 2`, MapServer upstream, malloc_info through gdb after the
 * WMS load): 108-133 MB in the arenas, 82-103 MB of it free; with the threshold fixed at 512 kB,
 * 42-45 MB. Peak RSS per worker: tile hits 161-176 -> 144-149 MB, WMS GetMap in EPSG:3857/4326
 * 210-227 -> 171-194 MB, EPSG:25832 290-295 -> 243-254 MB; CPU per map the same within noise
 * (30.7-31.8 ms before, 29.7-32.1 after, paired; 128 kB: +1.5 ms of page faults per map; capping
 * the arenas at 2 as well cost +10-16% CPU in lock contention and was left out). Elsewhere than
 * glibc the variable means nothing. 256 kB was no better (bench/rss-phases.ts phases, 3 alternating
 * pairs, peak MB per worker: cold tiles 124-136 -> 119-135, WMS 146-166 -> 149-165, hits 108-126 ->
 * 123-130); `glibc.malloc.arena_max=4` beside it neither (3 pairs, medians: tile hits 147.2 ->
 * 145.9 MB, WMS 156.7 -> 166.3 MB). What stays is the image thread's own arena: 10-17 MB after
 * cold tiles and WMS maps, ~5 MB of it the stitching's row cache (smaps and gdb's thread_arena,
 * issue 13). jemalloc instead (Debian's 5.3 by LD_PRELOAD, as sharp suggests for glibc) was worse:
 * idle 104 against 85 MB a worker, WMS 178-193 against 151-166; with a background thread, 1 s
 * dirty decay and 2 arenas still 4-14 MB above glibc in every phase (bench/_probe phases, 2 workers).
 */
const MMAP_THRESHOLD = 'glibc.malloc.mmap_threshold';
const MMAP_THRESHOLD_BYTES = 512 * 1024;

/**
 * One malloc arena (the main one) for a worker whose share of the cores is one: glibc gives each
 * thread that allocates while another holds an arena one of its own, and each keeps its own freed
 * chunks resident, so the image thread's arena (the stitched tiles' PNG copies, inflate states, the
 * row cache) and the main arena each held their own high-water mark. Measured (issue 13, serve -w 2
 * on 2 cores before MapServer, each rss-phases phase's preparation and load apart, alternating
 * pairs; peak as the bench's column: the largest worker sampled every 100 ms, highest phase of the
 * run): machine shared (load 13-20), 5 pairs: 149 (144-163) -> 145 (144-153) MB, malloc memory at
 * its peak (arenas plus the main heap, smaps every 0.5 s) 54 -> 38 MB, CPU ms a request the same
 * (hits 0.036 -> 0.035, maps 5.83 / 7.75 / 8.28 -> 5.74 / 7.83 / 8.38 in EPSG:3857 / 4326 / 25832);
 * machine quieter (load 4-6), 4 pairs: 184 (171-197) -> 175 (173-179) MB, malloc memory 73 -> 64 MB,
 * maps 5.17 / 6.49 / 6.64 -> 5.40 / 6.42 / 6.53 ms, hits 0.029 -> 0.031 ms. With
 * 2 arenas the peak was higher (166 and 164 MB, 2 runs: threads share them by turns, not by role).
 * Where a worker has more cores, its image threads run in parallel and would wait on the one
 * arena's lock (2 arenas cost +10-16% CPU a map when large buffers still went through them), so
 * there the default stays; not measured there.
 */
const ARENA_MAX = 'glibc.malloc.arena_max';

/** Whether `name` is among the colon-separated `tunables`. */
function hasTunable(tunables: string, name: string): boolean {
  return tunables.split(':').some((entry) => entry.startsWith(`${name}=`));
}

/**
 * What a worker's environment adds to `env` (the primary's): `GLIBC_TUNABLES` with the mmap
 * threshold above, and one arena when `coresPerWorker` is 1 or less, appended to the user's own
 * tunables; each unless the user set it there or through its older variable
 * (`MALLOC_MMAP_THRESHOLD_`, `MALLOC_ARENA_MAX`); empty when there is nothing to add.
 */
export function workerAllocatorEnv(env: NodeJS.ProcessEnv, coresPerWorker: number): Record<string, string> {
  const given = env.GLIBC_TUNABLES ?? '';
  const ours: string[] = [];
  if (env.MALLOC_MMAP_THRESHOLD_ === undefined && !hasTunable(given, MMAP_THRESHOLD))
    ours.push(`${MMAP_THRESHOLD}=${String(MMAP_THRESHOLD_BYTES)}`);
  if (coresPerWorker <= 1 && env.MALLOC_ARENA_MAX === undefined && !hasTunable(given, ARENA_MAX))
    ours.push(`${ARENA_MAX}=1`);
  if (ours.length === 0) return {};
  return { GLIBC_TUNABLES: [...(given === '' ? [] : [given]), ...ours].join(':') };
}
