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
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : new Uint8Array(bytes);
}

/** New buffers are rounded up to this, so that one fits the next task's slightly larger data. */
const GRANULE_BYTES = 64 * 1024;

/**
 * How long pooled buffers outlive the last buffer given back. Tasks of a creation run come tens of
 * ms apart; after one the pool's buffers (four of 1.4-2.1 MB for the bench's meta tiles) were kept
 * for good, through cached tile hits and WMS maps that never use them (issue 13). Allocating them
 * anew costs a few page faults against 70-80 ms of CPU a meta tile.
 */
export const POOL_IDLE_MS = 1000;

export class TransferPool {
  readonly #maxBuffers: number;
  readonly #idleMs: number;
  /** Pooled buffers, smallest first. */
  readonly #free: ArrayBuffer[] = [];
  #allocated = 0;
  #idleTimer: NodeJS.Timeout | null = null;

  /**
   * A pool keeping at most `maxBuffers` buffers between tasks, and none once `idleMs` passed
   * after the last buffer given back.
   */
  constructor(maxBuffers: number, { idleMs = POOL_IDLE_MS }: { readonly idleMs?: number } = {}) {
    this.#maxBuffers = Math.max(0, maxBuffers);
    this.#idleMs = idleMs;
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
    if (buffer === null || buffer === undefined || buffer.byteLength === 0 || this.#free.includes(buffer))
      return;
    const at = this.#free.findIndex((pooled) => pooled.byteLength > buffer.byteLength);
    this.#free.splice(at < 0 ? this.#free.length : at, 0, buffer);
    if (this.#free.length > this.#maxBuffers) this.#free.shift();
    if (this.#idleTimer === null) {
      this.#idleTimer = setTimeout(() => {
        this.release();
      }, this.#idleMs);
      // never keeps a process alive
      this.#idleTimer.unref();
    } else {
      this.#idleTimer.refresh();
    }
  }

  /**
   * Drops the pooled buffers. Each is detached (its memory moved into a new ArrayBuffer that is
   * dropped at once), so the memory goes with the next young-generation collection: the pooled
   * buffers have lived long enough to be promoted, and dropped as they are they would wait for a
   * full collection, which a worker serving cached tiles runs rarely.
   */
  release(): void {
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    for (const buffer of this.#free.splice(0)) structuredClone(buffer, { transfer: [buffer] });
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
