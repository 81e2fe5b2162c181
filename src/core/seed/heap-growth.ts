/**
 * V8 heap tuning for a seed run, a batch job that wants throughput more than a small heap: fewer
 * full garbage collections while meta tiles stream their pixel buffers through the process.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * The heap may grow to four times its live size before the next full collection (V8's own factor
 * is 1.1-4 by the heap's state). A meta tile puts ~9 MB of buffers (its decoded pixels, the split
 * tiles, the PNGs) outside the ~20 MB heap; V8 counts them against the heap's global limit, and
 * the seeder ran a full mark-compact every 1.4 meta tiles (62-66 for the bench's 87), a quarter of
 * its CPU. Set once for the process; the flag is read at every collection. The seed's peak RSS by
 * the factor (bench/seed-pair.ts -c 2 --to 5, 3 alternating pairs each, one palette thread): 5x
 * 212 (210-218) MB against 4x 205 (203-206) MB at seed CPU 5.92 (5.84-6.48) and 5.67 (5.51-5.81)
 * s; 3x cut 26 MB more (213 -> 187) but cost 13% of the seed's CPU (5.59 -> 6.32 s).
 */
export function growHeapForSeeding(): void {
  setFlagsFromString('--heap-growing-percent=300');
}
