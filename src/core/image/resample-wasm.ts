/**
 * The bicubic kernel in WebAssembly SIMD (wasm/resample-kernel.ts): the same double arithmetic as
 * resample.ts's JavaScript kernel, two channels a vector. One instance per thread; its memory holds
 * the source at offset 0 (a stitched canvas can be built there directly), the output and scratch.
 */
import { RESAMPLE_KERNEL_WASM_BASE64 } from './resample-kernel-wasm.js';

/** The part of the WebAssembly JS API used here (the ES2023 lib does not declare it). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => WasmModule;
  readonly Instance: new (module: WasmModule, imports: object) => { readonly exports: unknown };
}
type WasmModule = { readonly __brand: 'WebAssembly.Module' };
const { WebAssembly: wasmApi } = globalThis as unknown as { readonly WebAssembly: WasmApi };

interface KernelExports {
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
    ...a: number[]
  ): void;
}

/**
 * A mesh cell: its destination box clipped to the output (`x0`-`y1`), its unclipped corner
 * (`bx0`, `by0`) and its bilinear map `a0`-`a7` onto the source.
 */
export interface KernelQuad {
  readonly bx0: number;
  readonly by0: number;
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
  readonly a: readonly number[];
}

/** One resampling job's source and output, laid out in a kernel instance's memory. */
export interface BicubicKernel {
  /** resample.ts `scaleBicubic`: source x per column, y per row, placed at `place` (default: all). */
  scale(xs: Float64Array, ys: Float64Array, place?: { readonly x0: number; readonly y0: number }): void;
  /** resample.ts `transformCellBicubic` for one cell (integer `x0`, `y0`). */
  transform(quad: KernelQuad): void;
  /** A copy of the output (RGBA, `dstWidth * dstHeight * 4`), in a buffer of its own. */
  result(): Uint8Array;
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

function instantiate(module: WasmModule): KernelExports {
  return new wasmApi.Instance(module, {}).exports as KernelExports;
}

/** An instance with at least `bytes` of memory: the thread's own one unless that would be huge. */
function instanceFor(bytes: number): KernelExports | null {
  const module = kernelModule();
  if (module === null) return null;
  const keep = bytes <= KEEP_MAX_BYTES;
  const instance = keep ? (kept ??= instantiate(module)) : instantiate(module);
  const missing = bytes - instance.memory.buffer.byteLength;
  if (missing > 0) instance.memory.grow(Math.ceil(missing / PAGE));
  return instance;
}

/**
 * A `bytes` long canvas at offset 0 of this thread's kernel memory, so a source stitched there
 * reaches the kernel without a copy; null without WebAssembly SIMD or for a huge canvas. Valid
 * until the next call into this module.
 */
export function kernelCanvas(bytes: number): Uint8Array | null {
  if (bytes > KEEP_MAX_BYTES) return null;
  const instance = instanceFor(bytes);
  return instance === null ? null : new Uint8Array(instance.memory.buffer, 0, bytes);
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** The scratch `scaleBicubic` lays out for `cols` columns: ring row numbers, 8 rows of 4 f64, taps, fractions, flags. */
function scaleScratchBytes(cols: number): number {
  return 64 + cols * (8 * 32 + 16 + 8 + 1);
}

/**
 * A kernel for `src` (RGBA `srcWidth x srcHeight`) onto a transparent `dstWidth x dstHeight`
 * output; null without WebAssembly SIMD (the caller runs the JavaScript kernel).
 */
export function bicubicKernel(
  src: Uint8Array,
  srcWidth: number,
  srcHeight: number,
  dstWidth: number,
  dstHeight: number,
): BicubicKernel | null {
  const srcBytes = srcWidth * srcHeight * 4;
  const outBytes = dstWidth * dstHeight * 4;
  const outPtr = align16(srcBytes);
  const xsPtr = align16(outPtr + outBytes);
  const ysPtr = xsPtr + dstWidth * 8;
  const scratch = align16(ysPtr + dstHeight * 8);
  // the canvas of kernelCanvas() is in place already: note it before growing detaches the view
  const inPlace = kept !== null && src.buffer === kept.memory.buffer && src.byteOffset === 0;
  const instance = instanceFor(scratch + scaleScratchBytes(dstWidth));
  if (instance === null) return null;
  const memory = (): ArrayBuffer => instance.memory.buffer;
  if (!inPlace || instance !== kept) new Uint8Array(memory()).set(src.subarray(0, srcBytes), 0);
  new Uint8Array(memory(), outPtr, outBytes).fill(0);
  return {
    scale(xs, ys, place = { x0: 0, y0: 0 }) {
      new Float64Array(memory(), xsPtr, xs.length).set(xs);
      new Float64Array(memory(), ysPtr, ys.length).set(ys);
      instance.scaleBicubic(
        0,
        srcWidth,
        srcHeight,
        xsPtr,
        xs.length,
        ysPtr,
        ys.length,
        outPtr,
        place.x0,
        place.y0,
        dstWidth,
        scratch,
      );
    },
    transform(quad) {
      const [a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0] = quad.a;
      instance.transformCell(
        0,
        srcWidth,
        srcHeight,
        outPtr,
        dstWidth,
        quad.bx0,
        quad.by0,
        quad.x0,
        quad.x1,
        quad.y0,
        quad.y1,
        a0,
        a1,
        a2,
        a3,
        a4,
        a5,
        a6,
        a7,
      );
    },
    result() {
      return new Uint8Array(memory().slice(outPtr, outPtr + outBytes));
    },
  };
}
