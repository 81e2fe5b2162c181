/**
 * `Gate`: at most `limit` tasks run at once; the others wait in arrival order. For CPU- and
 * memory-heavy work (a WMS map holds a stitched canvas of several megabytes) that must not all
 * start at once when many clients arrive together.
 */
export class Gate {
  #limit: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  get limit(): number {
    return this.#limit;
  }

  /**
   * Changes the limit: waiters take the places a larger one opens at once; above a smaller one,
   * running tasks finish and their places are not handed on.
   */
  set limit(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
    while (this.#running < this.#limit) {
      const next = this.#waiting.shift();
      if (next === undefined) break;
      this.#running += 1;
      next();
    }
  }

  /** Tasks running now and waiting for a slot. */
  get load(): { readonly running: number; readonly waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length };
  }

  /** Runs `task` once a slot is free; the slot is handed to the next waiter when it settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running < this.#limit) this.#running += 1;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      // the slot passes straight to the next waiter, so `running` stays as it is (not above a
      // lowered limit)
      const next = this.#running <= this.#limit ? this.#waiting.shift() : undefined;
      if (next === undefined) this.#running -= 1;
      else next();
    }
  }
}
