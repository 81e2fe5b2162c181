/**
 * This thread's instance of the image kernels' WebAssembly module (built from wasm/ by npm run
 * build:wasm): compiled once, one instance kept per thread, its memory grown as jobs need.
 */
import { RESAMPLE_KERNEL_WASM_BASE64 } from './resample-kernel-wasm.js';

/** The part of the WebAssembly JS API used here (the ES2023 lib does not declare it). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => WasmModule;
  readonly Instance: new (module: WasmModule, imports: object) => { readonly exports: unknown };
}
type WasmModule = { readonly __brand: 'WebAssembly.Module' };
const { WebAssembly: wasmApi } = globalThis as unknown as { readonly WebAssembly: WasmApi };

/** The module's exports; pointers are byte offsets into `memory` (see the sources in wasm/). */
export interface KernelExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  scaleBicubic(
    src: number,
    width: number,
    height: number,
    xs: number,
    cols: number,
    ys: number,
    rows: number,
    out: number,
    x0: number,
    y0: number,
    outWidth: number,
    scratch: number,
    fill: number,
  ): void;
  transformCell(
    src: number,
    width: number,
    height: number,
    out: number,
    dstWidth: number,
    bx0: number,
    by0: number,
    x0: number,
    x1: number,
    y0: number,
    y1: number,
    ...aFillAndScratch: number[]
  ): void;
  expandPalette8(
    rows: number,
    rowStride: number,
    lut: number,
    out: number,
    outStride: number,
    width: number,
    height: number,
  ): void;
  octreeCount(
    rgba: number,
    pixels: number,
    withAlpha: boolean,
    count: number,
    sums: number,
    buckets: number,
    clear: number,
    ints: number,
  ): number;
  octreeIndices(buckets: number, pixels: number, lookup: number, indices: number): void;
}

const PAGE = 65_536;
/** Instances whose memory would pass this are made for the one job and dropped (memory never shrinks). */
const KEEP_MAX_BYTES = 48 * 1024 * 1024;

let compiled: WasmModule | null | undefined;
let kept: KernelExports | null = null;

/** The compiled module, or null where this engine has no WebAssembly SIMD. */
function kernelModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = new wasmApi.Module(Buffer.from(RESAMPLE_KERNEL_WASM_BASE64, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * An instance with at least `bytes` of memory: this thread's kept one unless that would pass
 * {@link KEEP_MAX_BYTES} (then one for this job alone); null without WebAssembly SIMD. Growing
 * detaches views of the old memory.
 */
export function kernelInstance(bytes: number): KernelExports | null {
  const module = kernelModule();
  if (module === null) return null;
  const instantiate = (): KernelExports => new wasmApi.Instance(module, {}).exports as KernelExports;
  const instance = bytes <= KEEP_MAX_BYTES ? (kept ??= instantiate()) : instantiate();
  const missing = bytes - instance.memory.buffer.byteLength;
  if (missing > 0) instance.memory.grow(Math.ceil(missing / PAGE));
  return instance;
}

/** True when `view` starts at offset 0 of the kept instance's current memory. */
export function isAtKeptMemoryStart(view: Uint8Array): boolean {
  return kept !== null && view.buffer === kept.memory.buffer && view.byteOffset === 0;
}

/** True when `view` lies in the kept instance's current memory from byte `from` on. */
export function isInKeptMemory(view: Uint8Array, from: number): boolean {
  return kept !== null && view.buffer === kept.memory.buffer && view.byteOffset >= from;
}

/** Whether a job of `bytes` gets the kept instance (larger ones get an instance of their own). */
export function fitsKeptInstance(bytes: number): boolean {
  return bytes <= KEEP_MAX_BYTES;
}

/** `n` rounded up to a multiple of 16 (v128 alignment). */
export const align16 = (n: number): number => Math.ceil(n / 16) * 16;
