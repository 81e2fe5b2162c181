/** Piscina task: a clip mask drawn off the main thread (mask.ts `maskImage`). */
import { Piscina } from 'piscina';
import { drawMask, type MaskJob } from './fill-polygon.js';

/** Draws the mask of `job` and moves it to the caller. */
export function runMask(job: MaskJob): unknown {
  return Piscina.move(drawMask(job));
}
