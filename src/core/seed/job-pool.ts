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
  readonly onRetry?: ((attempt: number, error: unknown) => void) | undefined;
}

export class JobPool {
  readonly #options: JobPoolOptions;
  readonly #running = new Set<Promise<void>>();

  constructor(options: JobPoolOptions) {
    this.#options = options;
  }

  /**
   * Starts `job` once a slot is free. `done` receives null on success or the last error after all
   * retries; it never rejects the pool.
   */
  async submit(job: () => Promise<void>, done: (error: unknown) => void): Promise<void> {
    while (this.#running.size >= Math.max(1, this.#options.concurrency)) await Promise.race(this.#running);
    const run = this.#withRetries(job).then(
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

  async #withRetries(job: () => Promise<void>): Promise<void> {
    const { retries, retryDelayMs, maxDelayMs, onRetry } = this.#options;
    for (let attempt = 0; ; attempt++) {
      try {
        await job();
        return;
      } catch (error) {
        if (attempt >= retries) throw error;
        onRetry?.(attempt + 1, error);
        const delay = Math.min(maxDelayMs, retryDelayMs * 2 ** attempt);
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
