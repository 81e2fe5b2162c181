/**
 * One meta tile's tiles as paletted PNGs in one task on a palette thread: the upstream's PNG decoded
 * there (or its pixels given), each tile cut and encoded. Pure and free of sharp.
 */
import type { Size } from '../util/index.js';
import { cutTile } from './cut-tile.js';
import { encodePalettePng } from './palette-png.js';
import type { Rgba } from './pixels.js';
import { decodePngRgba } from './png-decode.js';

/** The meta image and what to make of it. */
export interface MetaTilesJob {
  /** The meta image as PNG bytes, decoded on the thread; or as `pixels`. */
  readonly png: Uint8Array | null;
  /** RGBA pixels of the meta image when `png` is null. */
  readonly pixels: Uint8Array | null;
  /** The meta image's size: a PNG of another size is not decoded here. */
  readonly size: Size;
  readonly tileSize: Size;
  /** Upper-left corner of each tile in the meta image (pixels, y down; may lie outside). */
  readonly offsets: readonly (readonly [x: number, y: number])[];
  /** What fills tile areas outside the meta image. */
  readonly fill: Rgba;
  readonly colors: number;
  readonly withAlpha: boolean;
  readonly quantizer: 'fastoctree' | 'mediancut';
  /** Send the decoded pixels back (for tiles drawn into a map on the miss). */
  readonly returnPixels: boolean;
  /** A spare buffer (the event loop's pool) the PNGs are written into when they fit; else null. */
  readonly pngsBuffer?: ArrayBuffer | null;
}

/** The PNGs one after another in `pngs`, `lengths` bytes each; the decoded pixels if asked. */
export interface MetaTilesResult {
  readonly pngs: Uint8Array;
  readonly lengths: readonly number[];
  readonly pixels: Uint8Array | null;
  /** Time spent cutting and encoding the tiles, after the decode (step timings). */
  readonly encodeMs: number;
  /**
   * The job's buffers that go back for reuse (moved): its PNG's, and `pngsBuffer` when the PNGs
   * did not fit in it. Not the `pngs` buffer, which the caller gives back itself after use.
   */
  readonly spares: ArrayBuffer[];
}

/**
 * The tiles of `job` as paletted PNGs, or null when its PNG is one this decoder leaves to sharp
 * (16 bit, interlaced, colour-managed, another size, corrupt): the caller decodes it and sends
 * pixels, so such files behave (and fail) as they always did.
 */
export function encodeMetaTiles(job: MetaTilesJob): MetaTilesResult | null {
  const pixels = job.pixels ?? decodeOrNull(job.png, job.size, job.returnPixels);
  if (pixels === null) return null;
  const started = performance.now();
  const meta = { data: pixels, size: job.size };
  const [width, height] = job.tileSize;
  const tile = new Uint8Array(width * height * 4);
  const parts = job.offsets.map((offset) =>
    encodePalettePng({
      data: cutTile(meta, job.tileSize, offset, job.fill, tile),
      width,
      height,
      colors: job.colors,
      withAlpha: job.withAlpha,
      quantizer: job.quantizer,
    }),
  );
  // one buffer for all PNGs: a single transfer back to the event loop, the spare one when they fit
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const spare = job.pngsBuffer ?? null;
  const fits = spare !== null && spare.byteLength >= total;
  const pngs = fits ? new Uint8Array(spare, 0, total) : new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    pngs.set(part, at);
    at += part.length;
  }
  return {
    pngs,
    lengths: parts.map((part) => part.length),
    pixels: job.returnPixels ? pixels : null,
    encodeMs: performance.now() - started,
    spares: [
      ...(job.png === null ? [] : [job.png.buffer as ArrayBuffer]),
      ...(spare === null || fits ? [] : [spare]),
    ],
  };
}

/**
 * This thread's decode buffer for meta images whose pixels stay here: a fresh 4 MB buffer per meta
 * tile was page faults to fill and external memory that drove the thread's full collections.
 */
let scratch = new Uint8Array(0);

function decodeOrNull(png: Uint8Array | null, size: Size, returnPixels: boolean): Uint8Array | null {
  if (png === null) return null;
  const bytes = size[0] * size[1] * 4;
  // pixels that go back to the event loop are moved there: they need a buffer of their own
  if (!returnPixels && scratch.length < bytes) scratch = new Uint8Array(bytes);
  const out = returnPixels ? new Uint8Array(bytes) : scratch.subarray(0, bytes);
  try {
    return decodePngRgba(png, { out, offset: 0, rowStride: size[0] * 4, expect: size }) === null ? null : out;
  } catch {
    return null; // corrupt: sharp on the event loop decides, with its own error
  }
}
