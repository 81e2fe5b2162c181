/**
 * Prompt collection of an image thread's garbage buffers: a young-generation collection after a
 * task once the thread's ArrayBuffer bytes grew by {@link COLLECT_AFTER_BYTES} since the last one.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * An image thread allocates little JavaScript but many buffers (a WMS map's tile PNG copies, inflate
 * output, encoded PNGs), which V8 frees only when a collection finds their objects dead: with its
 * 3 MB young generation filling slowly, tens of MB of dead buffers stayed resident between
 * collections. A minor collection once 8 MB more is held (issue 13, serve -w 2 on 2 cores before
 * MapServer, one malloc arena, each rss-phases phase's preparation and load apart, 5 alternating
 * pairs, peak MB per worker, medians (ranges)): tms-hit load, after creating its tiles, 139
 * (115-152) -> 120 (114-126); V8 pages at their peak 53 -> 42; WMS phases and the run's peak within
 * noise (175 -> 172); CPU ms a request the same (hits 0.029 -> 0.030, maps 5.89 / 7.53 / 7.59 ->
 * 5.81 / 6.47 / 7.34). After every task instead: no lower peak than this (2 pairs, loaded machine).
 */
export const COLLECT_AFTER_BYTES = 8 * 1024 * 1024;

type Collect = () => void;

/** V8's collector of this isolate, asked for a synchronous minor collection. */
function minorCollector(): Collect {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options: { type: 'minor'; execution: 'sync' }) => void;
  return () => {
    gc({ type: 'minor', execution: 'sync' });
  };
}

/** What {@link collectingAfter} measures and calls (tests inject their own). */
export interface ThreadGcOptions {
  readonly arrayBufferBytes?: () => number;
  readonly collect?: Collect;
  readonly thresholdBytes?: number;
}

/**
 * Wraps task functions so that after each one, when this thread's ArrayBuffer bytes are more than
 * `thresholdBytes` above what they were after the last collection, a minor collection runs.
 */
export function taskCollector({
  arrayBufferBytes = () => process.memoryUsage().arrayBuffers,
  collect = minorCollector(),
  thresholdBytes = COLLECT_AFTER_BYTES,
}: ThreadGcOptions = {}): <A extends unknown[], R>(task: (...args: A) => R) => (...args: A) => R {
  let afterLast = 0;
  return (task) =>
    (...args) => {
      const result = task(...args);
      if (arrayBufferBytes() - afterLast > thresholdBytes) {
        collect();
        afterLast = arrayBufferBytes();
      }
      return result;
    };
}
