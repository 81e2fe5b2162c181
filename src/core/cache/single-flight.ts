/**
 * In-process request coalescing: concurrent calls with the same key share one running promise.
 * Callers cannot cancel the shared work; a caller that stops waiting simply drops its promise.
 */
export class SingleFlight<T> {
  readonly #running = new Map<string, Promise<T>>();

  /** Number of keys with work in flight (for tests and metrics). */
  get size(): number {
    return this.#running.size;
  }

  /**
   * Runs `fn` unless work for `key` is already running, in which case its promise is returned.
   * The key is free again once the work settles, so later calls start fresh work.
   */
  run(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running !== undefined) return running;
    // start fn in a microtask so the key is registered before fn can settle
    const promise = Promise.resolve()
      .then(fn)
      .finally(() => this.#running.delete(key));
    this.#running.set(key, promise);
    return promise;
  }
}
