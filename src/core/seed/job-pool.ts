/**
 * Bounded parallel jobs for the walker: `submit` waits while `concurrency` jobs run, so the walk
 * never runs ahead; failed jobs are retried with exponential backoff (MapProxy `exp_backoff`).
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface JobPoolOptions {
  readonly concurrency: number;
  /** Further attempts after the first failure. */
  readonly retries: number;
  /** First backoff delay; doubles per attempt, capped at `maxDelayMs`. */
  readonly retryDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * Once aborted, jobs still waiting for a slot are dropped and failed jobs are not retried (their
   * `done` is never called).
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * How long `drain` still waits for running jobs after `signal` aborted; the jobs still running
   * then are abandoned (their `done` is never called). Default: waits for all of them.
   */
  readonly abandonAfterMs?: number | undefined;
}

/** Told before each backoff: attempt 1 is the first retry, `retriesLeft` counts it. */
export type RetryListener = (retry: { attempt: number; retriesLeft: number; delayMs: number; error: unknown }) => void;

/** A job given up because the pool's signal aborted; nobody is told about it. Jobs may throw it too. */
export class JobAbandoned extends Error {}

export class JobPool {
  readonly #options: JobPoolOptions;
  readonly #running = new Set<Promise<void>>();
  #abandoned = false;

  /** Settles when the signal aborts (never without one): ends the wait for a free slot. */
  readonly #aborted: Promise<void>;

  constructor(options: JobPoolOptions) {
    this.#options = options;
    const { signal } = options;
    this.#aborted = new Promise((resolve) => {
      if (signal?.aborted === true) resolve();
      else signal?.addEventListener('abort', () => { resolve(); }, { once: true });
    });
  }

  /**
   * Starts `job` once a slot is free. `done` receives null on success or the last error after all
   * retries; it never rejects the pool. `onRetry` hears of each retry of this job.
   */
  async submit(job: () => Promise<void>, done: (error: unknown) => void, onRetry?: RetryListener): Promise<void> {
    // --duration/Ctrl-C while waiting: start nothing new (MapProxy stops its workers)
    while (this.#running.size >= Math.max(1, this.#options.concurrency)) {
      if (this.#options.signal?.aborted === true) return;
      await Promise.race([...this.#running, this.#aborted]);
    }
    if (this.#options.signal?.aborted === true) return;
    const run = this.#withRetries(job, onRetry).then(
      () => {
        if (!this.#abandoned) done(null);
      },
      (error: unknown) => {
        if (!(error instanceof JobAbandoned) && !this.#abandoned) done(error ?? new Error('job failed'));
      },
    );
    const tracked = run.finally(() => this.#running.delete(tracked));
    this.#running.add(tracked);
  }

  /**
   * Resolves when every submitted job has finished or, `abandonAfterMs` after the signal aborted,
   * with the jobs still running abandoned (MapProxy joins its workers with a timeout on Ctrl-C).
   */
  async drain(): Promise<void> {
    const { signal, abandonAfterMs } = this.#options;
    if (signal === undefined || abandonAfterMs === undefined) {
      while (this.#running.size > 0) await Promise.all(this.#running);
      return;
    }
    const finished = new AbortController(); // cancels the timer once every job finished in time
    const expired = this.#aborted.then(() => delay(abandonAfterMs, true as const, { signal: finished.signal }));
    expired.catch(() => undefined);
    try {
      while (this.#running.size > 0) {
        const all = Promise.all(this.#running).then(() => false as const);
        if (await Promise.race([all, expired])) {
          this.#abandoned = true;
          return;
        }
      }
    } finally {
      finished.abort();
    }
  }

  async #withRetries(job: () => Promise<void>, onRetry: RetryListener | undefined): Promise<void> {
    const { retries, retryDelayMs, maxDelayMs, signal } = this.#options;
    for (let attempt = 0; ; attempt++) {
      try {
        await job();
        return;
      } catch (error) {
        if (attempt >= retries || error instanceof JobAbandoned) throw error;
        if (signal?.aborted === true) throw new JobAbandoned('aborted', { cause: error });
        const delayMs = Math.min(maxDelayMs, retryDelayMs * 2 ** attempt);
        onRetry?.({ attempt: attempt + 1, retriesLeft: retries - attempt, delayMs, error });
        if (delayMs > 0) {
          await delay(delayMs, undefined, { signal }).catch(() => {
            throw new JobAbandoned('aborted', { cause: error });
          });
        }
      }
    }
  }
}
