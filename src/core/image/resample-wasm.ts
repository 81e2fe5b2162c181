/**
 * The bicubic kernel in WebAssembly SIMD (wasm/resample-kernel.ts): the same double arithmetic as
 * resample.ts's JavaScript kernel, two channels a vector. One instance per thread; its memory holds
 * the source at offset 0 (a stitched canvas can be built there directly), the output and scratch.
 */
import { align16, fitsKeptInstance, isAtKeptMemoryStart, kernelInstance } from './kernel-instance.js';
import type { PaletteExpander } from './png-decode.js';

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
  /** The output where it is in kernel memory: valid until this thread's next kernel call. */
  output(): Uint8Array;
}

/**
 * A canvas of `bytes` at offset 0 of this thread's kernel memory, so a source stitched there
 * reaches the kernel without a copy, followed by `scratchBytes` for its `expandPalette`;
 * null without WebAssembly SIMD or for a huge canvas. Valid until the next call into this module.
 */
export function kernelCanvas(bytes: number, scratchBytes = 0): KernelCanvas | null {
  const total = align16(bytes) + scratchBytes;
  if (!fitsKeptInstance(total)) return null;
  const instance = kernelInstance(total);
  if (instance === null) return null;
  const pixels = new Uint8Array(instance.memory.buffer, 0, bytes);
  const scratch = align16(bytes);
  return {
    pixels,
    expandPalette: (rows, rowStride, lut, at, outStride, width, height) => {
      // the table, then the rows (from their first index byte) in the scratch after the canvas
      const rowsBytes = (height - 1) * rowStride + width;
      const fits = at >= 0 && at + (height - 1) * outStride + width * 4 <= bytes;
      if (!fits || lut.length !== 256 || 1024 + rowsBytes > scratchBytes || rows.length < rowsBytes)
        return false;
      const memory = new Uint8Array(instance.memory.buffer);
      memory.set(new Uint8Array(lut.buffer, lut.byteOffset, 1024), scratch);
      memory.set(rows.subarray(0, rowsBytes), scratch + 1024);
      instance.expandPalette8(scratch + 1024, rowStride, scratch, at, outStride, width, height);
      return true;
    },
  };
}

/** A canvas in kernel memory that paletted rows can be expanded into there. */
export interface KernelCanvas {
  readonly pixels: Uint8Array;
  /**
   * Expands into {@link pixels} (`at` a byte offset there), refusing rows that do not fit the
   * scratch the canvas was made with.
   */
  readonly expandPalette: PaletteExpander;
}

/**
 * The scratch `scaleBicubic` lays out for `cols` columns: ring row numbers, 8 rows of 4 f64, and
 * each column's taps, fraction and flag in 32 bytes (more than `transformCell`'s 32 bytes a
 * column and 192).
 */
function scaleScratchBytes(cols: number): number {
  return 64 + cols * (8 * 32 + 32);
}

/**
 * A kernel for `src` (RGBA `srcWidth x srcHeight`) onto a `dstWidth x dstHeight` output whose
 * pixels without a source are `fill` (a little-endian RGBA word; default 0, transparent); null
 * without WebAssembly SIMD (the caller runs the JavaScript kernel).
 */
export function bicubicKernel(
  src: Uint8Array,
  srcWidth: number,
  srcHeight: number,
  dstWidth: number,
  dstHeight: number,
  fill = 0,
): BicubicKernel | null {
  const srcBytes = srcWidth * srcHeight * 4;
  const outBytes = dstWidth * dstHeight * 4;
  const outPtr = align16(srcBytes);
  const xsPtr = align16(outPtr + outBytes);
  const ysPtr = xsPtr + dstWidth * 8;
  const scratch = align16(ysPtr + dstHeight * 8);
  // the canvas of kernelCanvas() is in place already: note it before growing detaches the view
  const total = scratch + scaleScratchBytes(dstWidth);
  const inPlace = isAtKeptMemoryStart(src) && fitsKeptInstance(total);
  const instance = kernelInstance(total);
  if (instance === null) return null;
  const memory = (): ArrayBuffer => instance.memory.buffer;
  if (!inPlace) new Uint8Array(memory()).set(src.subarray(0, srcBytes), 0);
  // pixels no call writes keep `fill` (outPtr is 16-byte aligned). A scale over the whole output
  // writes every pixel itself (a 1 MB fill less, ~0.03 ms of a 512x512 map), so the fill waits
  // for a call that may leave pixels out, or for the output being read
  // true once every output pixel holds a value: filled, or written by a whole-output scale
  let isSettled = false;
  const ensureFilled = (): void => {
    if (!isSettled) new Uint32Array(memory(), outPtr, outBytes >>> 2).fill(fill);
    isSettled = true;
  };
  return {
    scale(xs, ys, place = { x0: 0, y0: 0 }) {
      const isWhole = place.x0 === 0 && place.y0 === 0 && xs.length === dstWidth && ys.length === dstHeight;
      if (!isWhole) ensureFilled();
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
        fill,
      );
      if (isWhole) isSettled = true;
    },
    transform(quad) {
      // a cell over the whole output writes every pixel itself (a value or the fill), as a whole
      // scale does: the 1 MB fill of a 512x512 map's single EPSG:25832 cell was 0.9% of its samples
      const isWhole = quad.x0 === 0 && quad.y0 === 0 && quad.x1 >= dstWidth && quad.y1 >= dstHeight;
      if (!isWhole) ensureFilled();
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
        fill,
        scratch,
      );
      if (isWhole) isSettled = true;
    },
    result() {
      ensureFilled();
      return new Uint8Array(memory().slice(outPtr, outPtr + outBytes));
    },
    output() {
      ensureFilled();
      return new Uint8Array(memory(), outPtr, outBytes);
    },
  };
}
