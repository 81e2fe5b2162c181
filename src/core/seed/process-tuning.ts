/**
 * How a seed run sizes the process it runs in: a batch job of one kind of work, each ms of whose
 * CPU is one the upstream renderer (often on the same cores) does not get.
 */
import { setFlagsFromString } from 'node:v8';
import { limitImageThreads } from '../image/index.js';

/**
 * Bytecode V8 lets a function run before it considers optimising it: 2 MB, V8's own is 132 KB.
 * A seed process lives seconds to hours; with V8's budget its optimising compiler (TurboFan, on
 * the platform threads) was the largest single item of the bench seed's CPU after zlib (perf, -c 2,
 * levels 0-5: ~0.5 of 2.8 s), compiling the quantiser on every image thread and much code that
 * runs a few times a meta tile. The loops that count are in zlib and WebAssembly, and the hot
 * JavaScript still gets optimised, later. Set for the whole process (image threads included);
 * the flag is read each time a function's budget is reset.
 */
const INTERRUPT_BUDGET_BYTES = 2_000_000;

/**
 * Tunes this process for seeding with `concurrency` meta tiles fetched at once (`-c`): image
 * threads at most half of it (rounded up), and from -c 2 the optimising compiler's budget above.
 * Called once a run has seed tasks (not for dry runs or cleanups); it stays for the process.
 */
export function tuneProcessForSeeding(concurrency: number): void {
  // Each image thread is an isolate with its own modules, compiled quantiser and malloc arena; a
  // meta tile's decode, cut and encode take a tenth or less of the upstream's time for it, so one
  // thread per two meta tiles in flight keeps up, and two with -c 2 (started whenever two answers
  // came together) only cost: bench seed -c 2, 4 alternating pairs, CPU 2.71 -> 2.41 s, peak RSS
  // 194 -> 155 MB
  limitImageThreads(Math.ceil(concurrency / 2));
  // not with -c 1: its one request in flight waits for the event loop's handling of each answer,
  // which the budget leaves unoptimised longer (bench/seed-pair.ts -c 1, MapServer, quiet machine,
  // 3 pairs: 67.3 -> 63.0 tiles/s at 32.9 -> 29.0 ms of CPU a meta tile); with -c 2 the other
  // request hides it, and the compiler's CPU is what the upstream misses
  if (concurrency >= 2) setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET_BYTES}`);
}
