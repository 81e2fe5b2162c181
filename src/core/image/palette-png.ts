/**
 * 8-bit paletted PNG from RGBA pixels (MapProxy's default `png` cache format): our own quantiser
 * and PNG writer, run on worker threads for large images so tile encodes use every core.
 */
import { encodeIndexedPng } from './png-indexed.js';
import { quantize } from './quantize.js';

/** One encode: RGBA pixels, palette size and whether alpha is kept (else ignored, all opaque). */
export interface PaletteJob {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly colors: number;
  readonly withAlpha: boolean;
}

/** Quantises `job` to at most `job.colors` entries (exact for fewer colours) and writes the PNG. */
export function encodePalettePng(job: PaletteJob): Buffer {
  return encodeIndexedPng(job.width, job.height, quantize(job.data, job.colors, job.withAlpha));
}
