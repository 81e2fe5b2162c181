/**
 * The piscina worker file of the shared image threads (thread-pool.ts): every task function of
 * the resampling, palette and clip mask thread entries, so one thread runs any kind of task.
 */
export * from './resample-worker.js';
export * from './palette-worker.js';
export * from './mask-worker.js';
