/**
 * Main module of a `serve` worker process, forked by the primary (primary.ts): it takes its
 * options from the environment and serves, without the CLI (oclif and every command) a worker
 * that re-ran the command line loaded: ~0.1 s of CPU and ~10 MB per worker.
 */
import { logUnhandledRejections } from '../unhandled-rejections.js';
import { runWorker } from './worker.js';
import { workerOptionsFromEnv } from './worker-options.js';

logUnhandledRejections();
await runWorker(workerOptionsFromEnv(process.env));
