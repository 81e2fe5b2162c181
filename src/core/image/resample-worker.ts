/**
 * Piscina worker entry: stitches the stored tiles when they come as PNG bytes, runs the
 * resampling kernel and moves the result buffer back.
 */
import { Piscina } from 'piscina';
import { flattenOnto } from './flatten.js';
import { resample, type ResampleJob } from './resample.js';
import { stitchPngs, type PngMosaic } from './stitch-pngs.js';

/**
 * A kernel job whose source is RGBA pixels (`src`) or PNG tiles to stitch first (`mosaic`);
 * `opaque` flattens the source onto white and the result onto black (an opaque cache's mosaic
 * reprojected, see flatten.ts).
 */
export type WorkerJob = WithoutSrc<ResampleJob> &
  ({ readonly src: Uint8Array } | { readonly mosaic: PngMosaic }) & { readonly opaque?: boolean };

/** `Omit<T, 'src'>` for each member of a union (a plain Omit merges the mapping variants). */
type WithoutSrc<T> = T extends unknown ? Omit<T, 'src'> : never;

/**
 * Resamples `job` and transfers the RGBA result to the caller without copying; null when the
 * mosaic has a tile the worker cannot decode (the caller stitches it on the main thread instead).
 */
export function runResample(job: WorkerJob): unknown {
  // the source is this thread's own: a structured clone, or the kept canvas
  const stitched = 'mosaic' in job ? stitchPngs(job.mosaic) : { canvas: job.src, opaque: false };
  if (stitched === null) return null;
  const flatten = job.opaque === true;
  // a mosaic of opaque tiles needs neither the flattening nor the kernel's translucency scan
  const src = flatten && !stitched.opaque ? flattenOnto(stitched.canvas, 255) : stitched.canvas;
  const out = resample({ ...job, src, srcOpaque: flatten || stitched.opaque });
  return Piscina.move(flatten ? flattenOnto(out, 0) : out);
}
