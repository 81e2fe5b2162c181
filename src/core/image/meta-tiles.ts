/**
 * A meta tile split and encoded as 8-bit PNG tiles in one palette-thread task: the upstream's PNG
 * is decoded on that thread, so the event loop neither decodes, cuts nor copies tile pixels.
 */
import type { Size } from '../util/index.js';
import { mimeType } from './formats.js';
import { palettePngParams, type Encoded } from './codec.js';
import { ImageError } from './errors.js';
import { imageFromRaw, undecodedPng } from './image-result.js';
import { encodeMetaTilesAsync } from './palette-pool.js';
import { checkSize } from './pixels.js';
import { splitCanvas, splitLazily, type SplitOptions } from './split.js';
import { TransferPool } from './transfer-pool.js';
import type { ImageFormatOptions, ImageResult } from './types.js';

/** One tile: its pixels (cut when first asked for) and its encoded bytes. */
export interface SplitEncodedTile {
  readonly image: ImageResult;
  readonly encoded: Encoded;
}

/** The tiles, and how long the thread took to cut and encode them once the meta image was decoded. */
export interface SplitEncoded {
  readonly tiles: SplitEncodedTile[];
  readonly encodeMs: number;
  /**
   * With `lendBytes`: gives the buffer the tiles' PNGs are views of back for the next meta tile's;
   * call it only once nothing reads those PNGs any more. Absent otherwise (the PNGs are copies).
   */
  readonly release?: () => void;
}

/**
 * Buffers for the upstream PNG's copy and the tiles' PNGs, moved to the palette thread and back. A
 * fresh pair per meta tile (0.5 MB each for the bench's 1024x1024 meta tiles from MapServer) was
 * garbage on both sides: the PNGs' buffer, made on the thread and dropped on the event loop, counted
 * in neither isolate's heap and waited for the event loop's next full collection; the copy waited for
 * the thread's, which hardly allocates on its heap. Two tasks in flight per worker use four.
 */
export const metaTileBuffers = new TransferPool(4);

/**
 * The tiles of `tileSize` at `offsets` of `image` (as {@link splitImage} cuts them), each with its
 * 8-bit PNG encoded as `options` ask (as `image.encode(options)` of each tile would: the same
 * quantiser, so the same bytes). Null when `options` ask for anything but an 8-bit PNG (the
 * caller splits and encodes). `keepPixels`: the decoded meta image comes back from the thread for
 * tiles whose pixels are asked for (a map drawn on the miss); otherwise such a tile decodes
 * `image` again. `lendBytes`: the tiles' PNGs are views of a pooled buffer, valid until the
 * caller calls `release` (a seed stores them and drops them). Rejects with `ImageError`
 * (`IMAGE_DECODE`) when `image` cannot be decoded, (`IMAGE_ENCODE`) when the encoder fails.
 */
export async function splitAndEncodePalettePng(
  image: ImageResult,
  tileSize: Size,
  offsets: readonly (readonly [x: number, y: number])[],
  split: SplitOptions,
  options: ImageFormatOptions,
  { keepPixels, lendBytes = false }: { readonly keepPixels: boolean; readonly lendBytes?: boolean },
): Promise<SplitEncoded | null> {
  const params = palettePngParams(options);
  if (params === null) return null;
  checkSize(tileSize);
  const job = { size: image.size, tileSize, offsets, canvas: splitCanvas(split), ...params };
  const png = undecodedPng(image);
  let meta = image;
  // 1. the thread decodes the PNG itself (a copy of its own is moved there) ...
  let result = null;
  if (png !== null) {
    const copy = new Uint8Array(metaTileBuffers.take(png.length), 0, png.length);
    copy.set(png);
    // the PNGs are about as large as the upstream's PNG, or smaller
    const pngsBuffer = metaTileBuffers.take(png.length);
    result = await encode({ ...job, png: copy, pixels: null, returnPixels: keepPixels, pngsBuffer });
  }
  if (result?.pixels) meta = imageFromRaw({ data: Buffer.from(result.pixels.buffer), size: image.size });
  if (result === null) {
    // 2. ... unless it is no PNG, or one only sharp reads: then its pixels go (rejects IMAGE_DECODE)
    const raw = await image.raw();
    result = await encode({ ...job, png: null, pixels: new Uint8Array(raw.data), returnPixels: false });
    if (result === null) throw new ImageError('the palette thread took no pixels', 'IMAGE_ENCODE');
  }
  const tiles = splitLazily(meta, tileSize, offsets, split);
  const format = mimeType('png');
  const { pngs, lengths } = result;
  let at = 0;
  const encoded = tiles.map((tile, i) => {
    const length = lengths[i] ?? 0;
    // each tile its own copy unless lent: a view would keep all 16 alive in whatever holds one (hot
    // tiles). A seed's copies (~0.4 MB a meta tile) were garbage once written, but many lived long
    // enough to be promoted and waited for a full collection: the bench seed's main malloc arena
    // peaked at 70-72 MB with them, 36-41 MB without (bench/seed-pair.ts -c 2 --to 5, smaps)
    const data = lendBytes
      ? Buffer.from(pngs.buffer, pngs.byteOffset + at, length)
      : Buffer.from(pngs.subarray(at, at + length));
    at += length;
    return { image: tile, encoded: { data, format } };
  });
  for (const spare of result.spares) metaTileBuffers.give(spare);
  const buffer = pngs.buffer as ArrayBuffer;
  if (!lendBytes) {
    metaTileBuffers.give(buffer);
    return { tiles: encoded, encodeMs: result.encodeMs };
  }
  const release = (): void => {
    metaTileBuffers.give(buffer);
  };
  return { tiles: encoded, encodeMs: result.encodeMs, release };
}

/** Whether {@link splitAndEncodePalettePng} takes tiles of `options`: 8-bit PNG (else it answers null). */
export function encodesMetaTilesOnThread(options: ImageFormatOptions): boolean {
  return palettePngParams(options) !== null;
}

async function encode(
  job: Parameters<typeof encodeMetaTilesAsync>[0],
): ReturnType<typeof encodeMetaTilesAsync> {
  try {
    return await encodeMetaTilesAsync(job);
  } catch (error) {
    throw new ImageError(`cannot encode image/png: ${(error as Error).message}`, 'IMAGE_ENCODE', {
      cause: error,
    });
  }
}
