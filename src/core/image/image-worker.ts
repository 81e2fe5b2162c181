/**
 * The piscina worker file of the shared image threads (thread-pool.ts): every task function of
 * the resampling and palette thread entries, so one thread runs either kind of task.
 */
export * from './resample-worker.js';
export * from './palette-worker.js';
