/**
 * A small bounded pool of ArrayBuffers that are moved to an image thread with a task and moved back
 * with its result, so each task reuses them instead of leaving fresh buffers to either side's GC.
 */

/**
 * `bytes` in an ArrayBuffer of exactly their size, ready to be moved or cloned to another thread
 * (either takes a view's whole buffer): themselves when they fill theirs, else a copy. Not
 * `bytes.slice()`: on a Buffer that is a view sharing the same memory.
 */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

/** New buffers are rounded up to this, so that one fits the next task's slightly larger data. */
const GRANULE_BYTES = 64 * 1024;

export class TransferPool {
  readonly #maxBuffers: number;
  /** Pooled buffers, smallest first. */
  readonly #free: ArrayBuffer[] = [];
  #allocated = 0;

  /** A pool keeping at most `maxBuffers` buffers between tasks. */
  constructor(maxBuffers: number) {
    this.#maxBuffers = Math.max(0, maxBuffers);
  }

  /**
   * A buffer of at least `bytes`: the smallest pooled one that fits (taken out of the pool), else a
   * new one of `bytes` rounded up to 64 kB.
   */
  take(bytes: number): ArrayBuffer {
    const at = this.#free.findIndex((buffer) => buffer.byteLength >= bytes);
    if (at >= 0) return this.#free.splice(at, 1)[0] as ArrayBuffer;
    this.#allocated++;
    return new ArrayBuffer(Math.max(GRANULE_BYTES, Math.ceil(bytes / GRANULE_BYTES) * GRANULE_BYTES));
  }

  /**
   * Gives `buffer` back. A detached one (moved elsewhere, byteLength 0) is ignored; when the pool
   * is full the smallest buffer is left to the GC, so the pool keeps the ones that fit most tasks.
   */
  give(buffer: ArrayBuffer | null | undefined): void {
    if (buffer === null || buffer === undefined || buffer.byteLength === 0 || this.#free.includes(buffer)) return;
    const at = this.#free.findIndex((pooled) => pooled.byteLength > buffer.byteLength);
    this.#free.splice(at < 0 ? this.#free.length : at, 0, buffer);
    if (this.#free.length > this.#maxBuffers) this.#free.shift();
  }

  /** Buffers pooled now. */
  get size(): number {
    return this.#free.length;
  }

  /** Buffers this pool has allocated since it was made (for tests: reuse allocates none). */
  get allocated(): number {
    return this.#allocated;
  }
}
