/** Piscina worker entry: runs the resampling kernel and moves the result buffer back. */
import { Piscina } from 'piscina';
import { resample, type ResampleJob } from './resample.js';

/** Resamples `job` and transfers the RGBA result to the caller without copying. */
export function runResample(job: ResampleJob): unknown {
  const out = resample(job);
  return Piscina.move(out);
}
