/**
 * One meta tile's tiles as paletted PNGs in one task on a palette thread: the upstream's PNG decoded
 * there (or its pixels given), each tile cut and encoded. Pure and free of sharp.
 */
import type { Size } from '../util/index.js';
import { cutTile, type TileCanvas } from './cut-tile.js';
import { keptBuffer } from './kept-buffer.js';
import { encodePalettePng } from './palette-png.js';
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
  /** The canvas of tiles reaching past the meta image. */
  readonly canvas: TileCanvas;
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
  // cutTile writes every byte of the tile, so the last job's pixels in the kept buffer do no harm
  const tile = tileBuffer(width * height * 4);
  // each PNG is copied out as soon as it is written, so it dies young: the 16 PNGs of a job held
  // to its end outlived two scavenges and waited for a full collection, which an idle thread does
  // not run (after cold TMS the thread's malloc arena held 11-12 MB of such PNGs and 8 MB of
  // per-job tile buffers, walked with gdb; issue 13)
  const lengths: number[] = [];
  let total = 0;
  for (const offset of job.offsets) {
    const part = encodePalettePng({
      data: cutTile(meta, job.tileSize, offset, job.canvas, tile),
      width,
      height,
      colors: job.colors,
      withAlpha: job.withAlpha,
      quantizer: job.quantizer,
    });
    gathered = room(gathered, total, total + part.length);
    gathered.set(part, total);
    total += part.length;
    lengths.push(part.length);
  }
  // one buffer for all PNGs: a single transfer back to the event loop, the spare one when they fit
  const spare = job.pngsBuffer ?? null;
  const fits = spare !== null && spare.byteLength >= total;
  const pngs = fits ? new Uint8Array(spare, 0, total) : new Uint8Array(total);
  pngs.set(gathered.subarray(0, total));
  if (gathered.length > GATHERED_KEPT_BYTES) gathered = new Uint8Array(0);
  return {
    pngs,
    lengths,
    pixels: job.returnPixels ? pixels : null,
    encodeMs: performance.now() - started,
    spares: [
      ...(job.png === null ? [] : [job.png.buffer as ArrayBuffer]),
      ...(spare === null || fits ? [] : [spare]),
    ],
  };
}

/** This thread's buffer for the tile being cut (up to 512x512 tiles; larger ones get their own). */
const tileBuffer = keptBuffer(512 * 512 * 4);

/** This thread's buffer the PNGs of a job are gathered in; kept between jobs up to this size. */
const GATHERED_KEPT_BYTES = 4 * 1024 * 1024;
let gathered: Uint8Array = new Uint8Array(0);

/** `buffer` when it holds `needed` bytes, else a larger one (doubled) with its first `used` bytes. */
function room(buffer: Uint8Array, used: number, needed: number): Uint8Array {
  if (buffer.length >= needed) return buffer;
  const larger = new Uint8Array(Math.max(needed, buffer.length * 2, 64 * 1024));
  larger.set(buffer.subarray(0, used));
  return larger;
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
