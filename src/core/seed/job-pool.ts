/**
 * Bounded parallel jobs for the walker: `submit` waits while `concurrency` jobs run, so the walk
 * never runs ahead; failed jobs are retried with exponential backoff (MapProxy `exp_backoff`).
 */

export interface JobPoolOptions {
  readonly concurrency: number;
  /** Further attempts after the first failure. */
  readonly retries: number;
  /** First backoff delay; doubles per attempt, capped at `maxDelayMs`. */
  readonly retryDelayMs: number;
  readonly maxDelayMs: number;
  /** Once aborted, jobs still waiting for a slot are dropped (their `done` is never called). */
  readonly signal?: AbortSignal | undefined;
}

/** Told before each backoff: attempt 1 is the first retry, `retriesLeft` counts it. */
export type RetryListener = (retry: { attempt: number; retriesLeft: number; delayMs: number; error: unknown }) => void;

export class JobPool {
  readonly #options: JobPoolOptions;
  readonly #running = new Set<Promise<void>>();

  constructor(options: JobPoolOptions) {
    this.#options = options;
  }

  /**
   * Starts `job` once a slot is free. `done` receives null on success or the last error after all
   * retries; it never rejects the pool. `onRetry` hears of each retry of this job.
   */
  async submit(job: () => Promise<void>, done: (error: unknown) => void, onRetry?: RetryListener): Promise<void> {
    while (this.#running.size >= Math.max(1, this.#options.concurrency)) await Promise.race(this.#running);
    // --duration/Ctrl-C while waiting: start nothing new (MapProxy stops its workers)
    if (this.#options.signal?.aborted === true) return;
    const run = this.#withRetries(job, onRetry).then(
      () => {
        done(null);
      },
      (error: unknown) => {
        done(error ?? new Error('job failed'));
      },
    );
    const tracked = run.finally(() => this.#running.delete(tracked));
    this.#running.add(tracked);
  }

  /** Resolves when every submitted job has finished. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }

  async #withRetries(job: () => Promise<void>, onRetry: RetryListener | undefined): Promise<void> {
    const { retries, retryDelayMs, maxDelayMs } = this.#options;
    for (let attempt = 0; ; attempt++) {
      try {
        await job();
        return;
      } catch (error) {
        if (attempt >= retries) throw error;
        const delay = Math.min(maxDelayMs, retryDelayMs * 2 ** attempt);
        onRetry?.({ attempt: attempt + 1, retriesLeft: retries - attempt, delayMs: delay, error });
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
