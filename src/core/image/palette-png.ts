/**
 * 8-bit paletted PNG from RGBA pixels (MapProxy's default `png` cache format): Pillow's
 * FASTOCTREE quantiser (what MapProxy uses, so the same pixels) and our PNG writer, run on worker
 * threads for large images so tile encodes use every core.
 */
import { encodeIndexedPng } from './png-indexed.js';
import { quantizeOctree } from './quantize-octree.js';

/** One encode: RGBA pixels, palette size and whether alpha is kept (else ignored, all opaque). */
export interface PaletteJob {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly colors: number;
  readonly withAlpha: boolean;
}

/** Quantises `job` to `job.colors` entries as Pillow's FASTOCTREE and writes the PNG. */
export function encodePalettePng(job: PaletteJob): Buffer {
  return encodeIndexedPng(job.width, job.height, quantizeOctree(job.data, job.colors, job.withAlpha));
}
