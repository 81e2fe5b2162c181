/**
 * The piscina worker file of the shared image threads (thread-pool.ts): every task function of
 * the resampling, palette and clip mask thread entries, so one thread runs any kind of task, each
 * followed by a collection of its garbage buffers when they add up (thread-gc.ts).
 */
import * as mask from './mask-worker.js';
import * as palette from './palette-worker.js';
import * as resample from './resample-worker.js';
import { taskCollector } from './thread-gc.js';

const collecting = taskCollector();

export const runResample = collecting(resample.runResample);
export const runResampleEncode = collecting(resample.runResampleEncode);
export const runPalettePng = collecting(palette.runPalettePng);
export const runMetaTiles = collecting(palette.runMetaTiles);
export const runMask = collecting(mask.runMask);
export const { warmUp } = palette;
