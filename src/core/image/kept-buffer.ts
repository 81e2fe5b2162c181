/**
 * Scratch memory a thread keeps between its jobs: bytes from one buffer, grown when needed, instead
 * of a fresh zeroed buffer per job (its allocation, memset and share of the GC). A job beyond the
 * bound gets a buffer of its own, so one huge request does not stay in memory.
 */

/**
 * A source of `bytes`-long scratch: views of one kept buffer up to `maxBytes`, else new buffers.
 * A view holds whatever the last job left there (a new buffer is zeroed): write every byte before
 * reading it, and be done with it before the next call.
 */
export function keptBuffer(maxBytes: number): (bytes: number) => Uint8Array {
  let kept = new Uint8Array(0);
  return (bytes) => {
    if (bytes > maxBytes) return new Uint8Array(bytes);
    if (kept.length < bytes) kept = new Uint8Array(bytes);
    return kept.subarray(0, bytes);
  };
}
