/**
 * Piscina worker entry: stitches the stored tiles when they come as PNG bytes, runs the
 * resampling kernel and moves the result buffer back, or encodes it as an 8-bit PNG first.
 */
import { Piscina } from 'piscina';
import { dropAlpha } from './flatten.js';
import { keptBuffer } from './kept-buffer.js';
import { encodePalettePng, type PaletteJob } from './palette-png.js';
import { isReadInPlace } from './quantize-octree-wasm.js';
import { resample, sampledBox, type ResampleJob } from './resample.js';
import { stitchPngs, type PngMosaic } from './stitch-pngs.js';
import { ownBytes } from './transfer-pool.js';
import type { ResampledOpaque } from './types.js';

/**
 * A kernel job whose source is RGBA pixels (`src`) or PNG tiles to stitch first (`mosaic`);
 * `opaque` flattens the source onto white and the result onto black (an opaque cache's mosaic
 * reprojected, see flatten.ts); `'alpha'` drops the result's alpha (a lone tile with alpha,
 * see transform.ts `ResampledOpaque`).
 */
export type WorkerJob = WithoutSrc<ResampleJob> &
  ({ readonly src: Uint8Array } | { readonly mosaic: PngMosaic }) & {
    readonly opaque?: ResampledOpaque;
  };

/** The 8-bit PNG encode of a resampled image (palette-png.ts's job without its pixels). */
export type PaletteEncode = Omit<PaletteJob, 'data' | 'width' | 'height' | 'format'>;

/** A kernel job whose result is encoded on the thread as `encode` says. */
export type WorkerEncodeJob = WorkerJob & { readonly encode: PaletteEncode };

/** `Omit<T, 'src'>` for each member of a union (a plain Omit merges the mapping variants). */
type WithoutSrc<T> = T extends unknown ? Omit<T, 'src'> : never;

/**
 * Resamples `job` and transfers the RGBA result to the caller without copying; null when the
 * mosaic has a tile the worker cannot decode (the caller stitches it on the main thread instead).
 */
export function runResample(job: WorkerJob): unknown {
  const out = resampled(job);
  return out === null ? null : Piscina.move(out);
}

/** Results up to this size are written into one buffer this thread keeps for the next encode. */
const outputBuffer = keptBuffer(4 * 1024 * 1024);

/** `pixels` in the kept output buffer, or in a buffer of their own when huge. */
function copied(pixels: Uint8Array): Uint8Array {
  const copy = outputBuffer(pixels.length);
  copy.set(pixels);
  return copy;
}

/**
 * Resamples `job` and encodes the result as its 8-bit PNG in the same task (a WMS map's last
 * steps): the pixels never leave this thread, so neither a fresh buffer for them nor two moves
 * between the threads; transfers the PNG bytes, or null as {@link runResample}.
 */
export function runResampleEncode(job: WorkerEncodeJob): unknown {
  const out = resampled(job, 'kernel');
  if (out === null) return null;
  // the quantiser reads the kernel's output where it is when it can, else a copy
  const pixels = isReadInPlace(out) ? out : copied(out);
  const png = encodePalettePng({ ...job.encode, data: pixels, width: job.dstWidth, height: job.dstHeight });
  // a Buffer may be a slice of a larger one, which would be transferred whole
  return Piscina.move(ownBytes(png));
}

/**
 * The RGBA result of `job` in a buffer of its own, or with `'kernel'` where the WebAssembly kernel
 * wrote it (valid until this thread's next kernel call); null as {@link runResample}.
 */
function resampled(job: WorkerJob, where?: 'kernel'): Uint8Array | null {
  // the source is this thread's own: a structured clone, or the kept canvas, of which only the
  // pixels the kernel can read are decoded (a reprojected map reads ~60% of its mosaic)
  const stitched =
    'mosaic' in job ? stitchPngs(job.mosaic, sampledBox(job)) : { canvas: job.src, opaque: false };
  if (stitched === null) return null;
  const flatten = job.opaque === true;
  // a mosaic of opaque tiles needs neither the flattening nor the kernel's translucency scan
  const src = flatten && !stitched.opaque ? dropAlpha(stitched.canvas) : stitched.canvas;
  const kernelJob = { ...job, src, srcOpaque: flatten || stitched.opaque, onBlack: flatten };
  const out = resample(kernelJob, { inKernel: where === 'kernel' });
  // PIL's paste of the resampled RGBA tile onto an RGB canvas: colours kept (unpremultiplied, black
  // where nothing was), alpha gone
  return job.opaque === 'alpha' ? dropAlpha(out) : out;
}
