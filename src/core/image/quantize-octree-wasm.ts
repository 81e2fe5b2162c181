/**
 * FASTOCTREE's pixel loops in WebAssembly (wasm/octree-count.ts), the twin of quantize-octree.ts's
 * JavaScript loops: same buckets, same exact sums. The image passes through the kernel's memory a
 * chunk at a time (or is read where it is), so the memory kept per thread stays under 1 MB.
 */
import { align16, isInKeptMemory, kernelInstance, type KernelExports } from './kernel-instance.js';
import { keptBuffer } from './kept-buffer.js';
import type { OctreePixelLoops } from './quantize-octree.js';

/** Pixels per chunk: 256 kB of RGBA, 128 kB of buckets. */
const CHUNK_PIXELS = 65_536;
/** Buckets of the larger fine cube (3,4,3,3 bits). */
const MAX_BUCKETS = 1 << 13;

/**
 * Byte offsets in kernel memory: RGBA chunk, bucket chunk, count and sums tables, their integer
 * twins (4 u32 sums and a u32 count a bucket, zero between calls), index chunk, lookup.
 */
const RGBA = 0;
const BUCKETS = RGBA + CHUNK_PIXELS * 4;
const COUNT = BUCKETS + CHUNK_PIXELS * 2;
const SUMS = COUNT + MAX_BUCKETS * 8;
const INTS = SUMS + MAX_BUCKETS * 32;
const INDICES = INTS + MAX_BUCKETS * 20;
const LOOKUP = INDICES + CHUNK_PIXELS;
const BYTES = align16(LOOKUP + MAX_BUCKETS);

/**
 * Images up to 1024x1024 pixels keep their buckets (2 bytes a pixel) in one table per thread,
 * reused by the next image: a fresh one of 512 kB (a 512x512 map) is mapped from the kernel and
 * faulted in page by page on every encode (glibc serves blocks from 512 kB on with mmap, see
 * worker-flags.ts).
 */
const bucketBytes = keptBuffer(1024 * 1024 * 2);

/** The loops' scratch in kernel memory (bytes from 0); exported for tests. */
export const SCRATCH_BYTES = BYTES;

/**
 * Where the bucket table of `rgba` can lie in kernel memory: right after the scratch when `rgba`
 * is read in place and starts at least a table later (a resampled map after its source canvas,
 * which is dead by now), so neither the image nor the scratch is written over; else -1.
 */
function bucketsInKernel(rgba: Uint8Array): number {
  return isReadInPlace(rgba) && BYTES + (rgba.length >>> 2) * 2 <= rgba.byteOffset ? BYTES : -1;
}

/**
 * True when `rgba` lies in this thread's kernel memory past the loops' scratch (a resampling's
 * output): the loops then read it where it is instead of copying it through their chunk, and
 * the memory needs no growing for them (so `rgba` stays valid).
 */
export function isReadInPlace(rgba: Uint8Array): boolean {
  return isInKeptMemory(rgba, BYTES);
}

/** A bucket table for `pixels` pixels: the kept one or, for a huge image, its own. */
function bucketTable(pixels: number): Uint16Array {
  const bytes = bucketBytes(pixels * 2);
  return new Uint16Array(bytes.buffer, bytes.byteOffset, pixels);
}

/**
 * The loops on this thread's kernel instance, or null without WebAssembly SIMD. One image at a time
 * per thread: its `indices` come before the next image's `count` and no other kernel call (the
 * bucket table is shared, and may lie in kernel memory).
 */
export function wasmOctreeLoops(): OctreePixelLoops | null {
  const instance = kernelInstance(BYTES);
  if (instance === null) return null;
  // the last counted image's buckets: in kernel memory at `bucketsAt`, or (-1) in `buckets`
  let buckets: Uint16Array = new Uint16Array(0);
  let bucketsAt = -1;
  let pixels = 0;
  return {
    count(rgba, withAlpha, count, sums) {
      if (count.length > MAX_BUCKETS || sums.length !== count.length * 4)
        throw new Error('unknown octree layout');
      pixels = rgba.length >>> 2;
      // a table in kernel memory is written by the loops and read back by them: no copies of
      // it out (count) and in again (indices), 1 MB of copies for a 512x512 map
      bucketsAt = bucketsInKernel(rgba);
      buckets = bucketsAt < 0 ? bucketTable(pixels) : new Uint16Array(0);
      const memory = memoryOf(instance);
      memory.fill(0, COUNT, INDICES);
      const inPlace = isReadInPlace(rgba);
      let clear = -1;
      for (let start = 0; start < pixels; start += CHUNK_PIXELS) {
        const n = Math.min(CHUNK_PIXELS, pixels - start);
        const chunk = inPlace ? rgba.byteOffset + start * 4 : RGBA;
        if (!inPlace) memory.set(rgba.subarray(start * 4, (start + n) * 4), RGBA);
        const out = bucketsAt < 0 ? BUCKETS : bucketsAt + start * 2;
        clear = instance.octreeCount(chunk, n, withAlpha, COUNT, SUMS, out, clear, INTS);
        if (bucketsAt < 0) buckets.set(new Uint16Array(memory.buffer, BUCKETS, n), start);
      }
      count.set(new Float64Array(memory.buffer, COUNT, count.length));
      sums.set(new Float64Array(memory.buffer, SUMS, sums.length));
    },
    indices(lookup) {
      const memory = memoryOf(instance);
      memory.set(lookup.subarray(0, MAX_BUCKETS), LOOKUP);
      const indices = new Uint8Array(pixels);
      for (let start = 0; start < pixels; start += CHUNK_PIXELS) {
        const n = Math.min(CHUNK_PIXELS, pixels - start);
        let at = bucketsAt + start * 2;
        if (bucketsAt < 0) {
          at = BUCKETS;
          new Uint16Array(memory.buffer, BUCKETS, n).set(buckets.subarray(start, start + n));
        }
        instance.octreeIndices(at, n, LOOKUP, INDICES);
        indices.set(memory.subarray(INDICES, INDICES + n), start);
      }
      return indices;
    },
  };
}

/** The instance's memory as bytes (a fresh view: growing elsewhere on this thread detaches old ones). */
function memoryOf(instance: KernelExports): Uint8Array {
  return new Uint8Array(instance.memory.buffer);
}
