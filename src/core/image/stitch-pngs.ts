/**
 * The stitching step of a WMS GetMap run on the resampling thread: the stored PNG tiles go there
 * as bytes (a few hundred kB) and are decoded into a canvas the thread keeps, instead of a
 * canvas of several MB built on the event loop, cloned to the thread and garbage collected there
 * (together ~35 ms of a 512x512 map's CPU, most of it the main thread's GC).
 */
import { keptBuffer } from './kept-buffer.js';
import { decodePngRgba, type PaletteExpander, type RowCache } from './png-decode.js';
import { kernelCanvas } from './resample-wasm.js';

/** Stored PNG tiles laid out row by row (top first); null stays transparent. */
export interface PngMosaic {
  readonly tiles: readonly (Uint8Array | null)[];
  readonly columns: number;
  readonly rows: number;
  readonly tileWidth: number;
  readonly tileHeight: number;
}

/** Canvases up to this size are kept for the next map; larger ones (huge requests) are not. */
const keptCanvas = keptBuffer(32 * 1024 * 1024);

/**
 * Inflated rows of recently stitched tiles, least recently used dropped first: maps of one
 * area share most of their tiles, and inflating is most of a tile's decode. 16 MB holds ~250
 * paletted 256x256 tiles (~66 kB each), ~80 truecolour ones.
 */
const ROW_CACHE_BYTES = 16 * 1024 * 1024;

function lruRowCache(maxBytes: number): RowCache {
  const entries = new Map<string, Uint8Array>();
  let bytes = 0;
  return {
    get(key) {
      const rows = entries.get(key);
      if (rows !== undefined) {
        // most recently used last
        entries.delete(key);
        entries.set(key, rows);
      }
      return rows;
    },
    set(key, rows) {
      if (rows.buffer.byteLength > maxBytes / 4 || entries.has(key)) return;
      entries.set(key, rows);
      bytes += rows.buffer.byteLength;
      for (const [oldest, old] of entries) {
        if (bytes <= maxBytes) break;
        entries.delete(oldest);
        bytes -= old.buffer.byteLength;
      }
    },
  };
}

const rowCache = lruRowCache(ROW_CACHE_BYTES);

/** A stitched canvas and whether it is known to be opaque (every tile there and opaque). */
export interface Stitched {
  readonly canvas: Uint8Array;
  readonly opaque: boolean;
}

/**
 * The RGBA canvas of `mosaic` (`columns * tileWidth` wide), or null when a tile is a PNG this
 * decoder does not handle or is corrupt (the caller then stitches on the main thread, which
 * decodes through sharp and reports the error). The canvas is reused by the next call on this
 * thread: use it before calling again. With `needed` (`[x0, y0, x1, y1]` pixels of the canvas,
 * end exclusive), pixels outside it may hold anything (a paletted tile writes none of them), but
 * every tile is still read (a corrupt one still answers null) and `opaque` speaks for all.
 */
export function stitchPngs(
  mosaic: PngMosaic,
  needed?: readonly [x0: number, y0: number, x1: number, y1: number],
): Stitched | null {
  const { tiles, columns, rows, tileWidth, tileHeight } = mosaic;
  const width = columns * tileWidth;
  const bytes = width * rows * tileHeight * 4;
  const { canvas, expandPalette } = canvasOf(bytes, tileWidth, tileHeight);
  const rowStride = width * 4;
  let opaque = true;
  for (let i = 0; i < columns * rows; i += 1) {
    const [left, top] = [(i % columns) * tileWidth, Math.floor(i / columns) * tileHeight];
    const offset = (top * width + left) * 4;
    const tile = tiles[i] ?? null;
    // the tile's part of `needed`, in its own pixels
    const region = [
      Math.max(0, (needed?.[0] ?? 0) - left),
      Math.max(0, (needed?.[1] ?? 0) - top),
      Math.min(tileWidth, (needed?.[2] ?? width) - left),
      Math.min(tileHeight, (needed?.[3] ?? rows * tileHeight) - top),
    ] as const;
    if (tile === null) {
      opaque = false;
      for (let y = region[1]; y < region[3]; y += 1) {
        const at = offset + y * rowStride;
        canvas.fill(0, at + region[0] * 4, at + region[2] * 4);
      }
      continue;
    }
    try {
      const decoded = decodePngRgba(
        tile,
        { out: canvas, offset, rowStride, expect: [tileWidth, tileHeight], expandPalette, region },
        rowCache,
      );
      if (decoded === null) return null;
      opaque &&= decoded.opaque;
    } catch {
      return null;
    }
  }
  return { canvas, opaque };
}

/**
 * A `bytes` long canvas: in the resampling kernel's memory, where the kernel reads it without a
 * copy and expands a paletted tile's rows (8-bit, `tileWidth` x `tileHeight`) into it; else the
 * canvas this thread keeps (one of its own for a huge request).
 */
function canvasOf(
  bytes: number,
  tileWidth: number,
  tileHeight: number,
): { canvas: Uint8Array; expandPalette?: PaletteExpander } {
  // scratch for one tile's palette table and rows (index bytes, the filter byte of each row)
  const inKernel = kernelCanvas(bytes, 1024 + (tileWidth + 1) * tileHeight);
  if (inKernel !== null) return { canvas: inKernel.pixels, expandPalette: inKernel.expandPalette };
  return { canvas: keptCanvas(bytes) };
}
