/**
 * A small PNG decoder for the tiles a cache stores (8-bit, and 1/2/4-bit palettes as PIL writes
 * them; not interlaced) straight to RGBA, as sharp decodes them. Anything else (16 bit, Adam7,
 * colour-managed chunks) is left to sharp: `decodePngRgba` then answers null.
 */
import { Inflate, constants as zlibConstants, inflateSync } from 'node:zlib';
import { keptBuffer } from './kept-buffer.js';

/** Ancillary chunks that do not change decoded pixels (libvips ignores them too). */
const HARMLESS = new Set(['pHYs', 'tEXt', 'zTXt', 'iTXt', 'tIME', 'sRGB', 'bKGD', 'hIST', 'sPLT']);

const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** A decoded PNG: its size, the buffer written, and whether every pixel is opaque (alpha 255). */
export interface DecodedPng {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
  /** True when the file can hold no translucent pixel (no alpha channel, no tRNS entry below 255). */
  readonly opaque: boolean;
}

/**
 * The RGBA pixels of `data` (a PNG) written into `target.out` at byte `offset` with `rowStride`
 * bytes per output row (refused unless the size is `expect`), or a fresh `width * height * 4` buffer when `out` is absent. Returns the size, or
 * null when this decoder does not handle the file (the caller decodes it with sharp). Throws when
 * the zlib stream is corrupt.
 */
export function decodePngRgba(
  data: Uint8Array,
  target?: {
    readonly out: Uint8Array;
    readonly offset: number;
    readonly rowStride: number;
    /** Refuse (null, nothing written) unless the PNG has this size. */
    readonly expect?: readonly [number, number];
    /** Expands 8-bit palette rows in place of the JavaScript loop (a faster kernel), if it can. */
    readonly expandPalette?: PaletteExpander;
    /**
     * Only these pixels (`[x0, y0, x1, y1]` of the PNG, end exclusive) are needed: a paletted
     * image writes no others, any other at least no rows outside `y0`-`y1`, an empty region
     * nothing (the file is still read). Default: all.
     */
    readonly region?: readonly [x0: number, y0: number, x1: number, y1: number];
  },
  rowCache?: RowCache,
): DecodedPng | null {
  if (data.length < 33 || data[0] !== 0x89 || data[1] !== 0x50 || data[2] !== 0x4e || data[3] !== 0x47)
    return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  // 1. chunks: IHDR, PLTE, tRNS, IDAT; anything that could change pixels sends the file to sharp
  let width = 0;
  let height = 0;
  let depth = 0;
  let colorType = -1;
  let palette: Uint8Array | null = null;
  let transparency: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  const idatCrcs: number[] = [];
  for (let at = 8; at + 8 <= data.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(
      data[at + 4] ?? 0,
      data[at + 5] ?? 0,
      data[at + 6] ?? 0,
      data[at + 7] ?? 0,
    );
    const body = data.subarray(at + 8, at + 8 + length);
    if (body.length !== length) return null;
    if (type === 'IDAT' && at + 12 + length <= data.length) idatCrcs.push(view.getUint32(at + 8 + length));
    at += 12 + length;
    if (type === 'IHDR') {
      width = view.getUint32(at - 12 - length + 8);
      height = view.getUint32(at - 12 - length + 12);
      [depth = 0, colorType = -1] = [body[8], body[9]];
      if (body[10] !== 0 || body[11] !== 0 || body[12] !== 0) return null; // interlaced or unknown
    } else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') transparency = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    else if (!HARMLESS.has(type)) return null;
  }
  const channels = CHANNELS[colorType];
  if (channels === undefined || width === 0 || height === 0 || idat.length === 0) return null;
  if (!(depth === 8 || (colorType === 3 && (depth === 1 || depth === 2 || depth === 4)))) return null;
  if (colorType === 3 && palette === null) return null;
  if (target?.expect !== undefined && (target.expect[0] !== width || target.expect[1] !== height))
    return null;
  // 2. inflate and undo the row filters
  const bitsPerPixel = channels * depth;
  const rowBytes = Math.ceil((width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const rows = unfilteredRows(
    idat,
    rowBytes,
    height,
    bpp,
    rowCache,
    rowsKey(`${width},${height},${depth},${colorType}`, idat, idatCrcs),
  );
  if (rows === null) return null;
  const out = target?.out ?? new Uint8Array(width * height * 4);
  const offset = target?.offset ?? 0;
  const rowStride = target?.rowStride ?? width * 4;
  const lut = colorType === 3 ? paletteLut(palette, transparency) : null;
  const words = LITTLE_ENDIAN && (out.byteOffset + offset) % 4 === 0 && rowStride % 4 === 0;
  const out32 =
    lut !== null && words && depth === 8
      ? new Uint32Array(out.buffer, out.byteOffset, out.byteLength >>> 2)
      : null;
  // 3. each row (of the region) to RGBA
  const [x0, y0, x1, y1] = target?.region ?? [0, 0, width, height];
  const expanded =
    x1 <= x0 ||
    y1 <= y0 ||
    (lut !== null &&
      depth === 8 &&
      target?.expandPalette?.(
        rows.subarray(1 + y0 * (rowBytes + 1) + x0),
        rowBytes + 1,
        lut,
        offset + y0 * rowStride + x0 * 4,
        rowStride,
        x1 - x0,
        y1 - y0,
      ) === true);
  for (let y = y0; y < (expanded ? y0 : y1); y += 1) {
    const start = y * (rowBytes + 1) + 1;
    const at = offset + y * rowStride;
    if (out32 !== null && lut !== null) {
      const w0 = at >>> 2;
      for (let x = x0; x < x1; x += 1) out32[w0 + x] = lut[rows[start + x] as number] as number;
    } else {
      expandRow(
        rows.subarray(start, start + rowBytes),
        width,
        colorType,
        depth,
        palette,
        transparency,
        out,
        at,
        lut,
      );
    }
  }
  return { width, height, pixels: out, opaque: isOpaqueLayout(colorType, transparency) };
}

/** No alpha channel, and no transparent key colour (grey, RGB) or palette alpha below 255. */
function isOpaqueLayout(colorType: number, transparency: Uint8Array | null): boolean {
  return colorType === 3
    ? (transparency?.every((alpha) => alpha === 255) ?? true)
    : (colorType === 0 || colorType === 2) && transparency === null;
}

/**
 * True when the PNG `data` can hold no translucent pixel, from its chunks before the first IDAT
 * (colour type and tRNS, as {@link DecodedPng.opaque}), without decoding it; false for anything
 * that is no readable PNG.
 */
export function isOpaquePng(data: Uint8Array): boolean {
  if (data.length < 33 || data[0] !== 0x89 || data[1] !== 0x50 || data[2] !== 0x4e || data[3] !== 0x47)
    return false;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let colorType = -1;
  let transparency: Uint8Array | null = null;
  for (let at = 8; at + 8 <= data.length; at += 12 + view.getUint32(at)) {
    const type = view.getUint32(at + 4);
    if (type === IHDR) colorType = data[at + 17] ?? -1;
    else if (type === TRNS) transparency = data.subarray(at + 8, at + 8 + view.getUint32(at));
    else if (type === IDAT || type === IEND) break;
  }
  return isOpaqueLayout(colorType, transparency);
}

/** Chunk types as big-endian words. */
const IHDR = 0x49484452;
const TRNS = 0x74524e53;
const IDAT = 0x49444154;
const IEND = 0x49454e44;

/**
 * Writes `height` rows of `width` pixels at byte `at` of the target (rows `outStride` bytes
 * apart), each `lut[index]` (RGBA in memory order) of its index in `rows` (rows `rowStride` bytes
 * apart, from offset 0); answers false, nothing written, when it cannot take these rows.
 */
export type PaletteExpander = (
  rows: Uint8Array,
  rowStride: number,
  lut: Uint32Array,
  at: number,
  outStride: number,
  width: number,
  height: number,
) => boolean;

/**
 * Inflated rows with their filters undone, kept by a decoder's caller: a WMS map stitches the
 * same stored tiles again and again, and inflating them is most of a tile's decode.
 */
export interface RowCache {
  get(key: string): Uint8Array | undefined;
  set(key: string, rows: Uint8Array): void;
}

/**
 * A key for the pixel data of a PNG: its `header` (the IHDR fields that are not always 0), the
 * CRC-32 of every IDAT chunk (over the compressed bytes), the zlib stream's Adler-32 (over the
 * inflated bytes) and its length; two different tiles share it with a chance of about 2^-64. Null
 * when the stream is too short.
 */
function rowsKey(header: string, idat: readonly Uint8Array[], crcs: readonly number[]): string | null {
  const last = idat.at(-1);
  if (last === undefined || last.length < 4 || crcs.length !== idat.length) return null;
  const adler =
    (last[last.length - 4] ?? 0) * 2 ** 24 +
    ((last[last.length - 3] ?? 0) << 16) +
    (((last[last.length - 2] ?? 0) << 8) | (last[last.length - 1] ?? 0));
  const length = idat.reduce((sum, chunk) => sum + chunk.length, 0);
  return `${header}:${length}:${crcs.join(',')}:${adler}`;
}

/**
 * Each row as a filter byte and its unfiltered bytes (`rowBytes + 1` a row), from `cache` when
 * it has `key`, else inflated, unfiltered in place and stored there. Null when the stream is short.
 * Throws when the zlib stream is corrupt.
 */
function unfilteredRows(
  idat: readonly Uint8Array[],
  rowBytes: number,
  height: number,
  bpp: number,
  cache: RowCache | undefined,
  key: string | null,
): Uint8Array | null {
  const cached = key === null ? undefined : cache?.get(key);
  if (cached !== undefined) return cached;
  // the inflated size is known: one output buffer of that size (+1, so zlib ends the stream
  // without asking for more room) instead of 16 kB chunks concatenated: those chunks were a
  // tile's rows again in garbage per inflate (piling up on the resampling thread until V8
  // collects), and 256x256 paletted rows took 87-101 us to inflate instead of 58-70 (5000 runs)
  const size = (rowBytes + 1) * height;
  // rows no cache keeps are inflated into this thread's kept buffer when they fit it
  const kept = cache === undefined || key === null ? inflateKept(idat, size) : null;
  let rows: Uint8Array;
  if (kept !== null) rows = kept;
  else {
    const chunkSize = Math.max(zlibConstants.Z_MIN_CHUNK, size + 1);
    const inflated = inflateSync(idat.length === 1 ? (idat[0] as Uint8Array) : Buffer.concat(idat), {
      chunkSize,
    });
    if (inflated.length < size) return null;
    // a plain view: Buffer's own subarray is several times slower
    rows = new Uint8Array(inflated.buffer, inflated.byteOffset, size);
  }
  const zeros = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y += 1) {
    const start = y * (rowBytes + 1) + 1;
    const filter = rows[start - 1] ?? 0;
    if (filter === 0) continue;
    // in place: the row above is final already
    const above = y === 0 ? zeros : rows.subarray(start - rowBytes - 1, start - 1);
    unfilter(filter, rows.subarray(start, start + rowBytes), above, bpp);
  }
  if (key !== null) cache?.set(key, rows);
  return rows;
}

/** Rows up to this size (a 1024x1024 RGBA meta image's) are inflated into a buffer kept per thread. */
const KEPT_ROWS_MAX_BYTES = (1024 * 4 + 1) * 1024;
const keptRows = keptBuffer(KEPT_ROWS_MAX_BYTES + 1);

/** The parts of a zlib stream object this decoder drives directly (Node's own, not public API). */
interface InflateHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOffset: number,
    inLength: number,
    output: Uint8Array,
    outOffset: number,
    outLength: number,
  ): void;
  reset(): void;
  close(): void;
  onerror: (message: string) => void;
}
interface InflateStream {
  readonly _handle: InflateHandle | null;
  readonly _writeState: Uint32Array;
}
let keptInflate: { readonly handle: InflateHandle; readonly state: Uint32Array; failed: boolean } | null =
  null;

/**
 * The first `size` inflated bytes of the zlib stream in `idat`, written into this thread's kept
 * buffer (valid until the next call), through one zlib stream kept per thread and reset: a meta
 * image's rows were a fresh 4 MB buffer a decode, living until the thread's next full collection
 * (cold-threads.ts, 4 pairs: the image threads' CPU a meta tile 29.6/17.3/17.4 -> 25.6/14.9/16.6 ms,
 * their page faults 400-670 -> under 70 a meta tile; peak RSS per worker not lower, see the commit).
 * Null, nothing decided, unless the stream ends cleanly within `size` + 1 bytes and `size` fits
 * the kept buffer: the caller then inflates as before (and throws as before on a corrupt stream).
 */
function inflateKept(idat: readonly Uint8Array[], size: number): Uint8Array | null {
  if (size > KEPT_ROWS_MAX_BYTES) return null;
  // + 1: room left when the stream ends tells an end from a stream longer than its rows
  const out = keptRows(size + 1);
  if (keptInflate === null) {
    const stream = new Inflate({ chunkSize: zlibConstants.Z_MIN_CHUNK }) as unknown as InflateStream;
    const handle = stream._handle;
    if (handle === null || typeof handle.writeSync !== 'function') return null;
    const kept = { handle, state: stream._writeState, failed: false };
    // errors are the fallback's to report; the stream is dropped after one
    handle.onerror = () => {
      kept.failed = true;
    };
    keptInflate = kept;
  }
  const zlib = keptInflate;
  let outAt = 0;
  for (let i = 0; i < idat.length; i += 1) {
    const chunk = idat[i] as Uint8Array;
    const last = i === idat.length - 1;
    const room = out.length - outAt;
    zlib.handle.writeSync(
      last ? zlibConstants.Z_FINISH : zlibConstants.Z_NO_FLUSH,
      chunk,
      0,
      chunk.length,
      out,
      outAt,
      room,
    );
    if (zlib.failed) break;
    const [availOut = 0, availIn = 0] = zlib.state;
    outAt += room - availOut;
    // out of room with input left: longer than its rows (or corrupt): the fallback decides
    if (availOut === 0 || (!last && availIn !== 0)) break;
    // with Z_FINISH and room left, no error means the stream ended
    if (last && outAt >= size) {
      zlib.handle.reset();
      return out.subarray(0, size);
    }
  }
  if (zlib.failed) {
    zlib.handle.close();
    keptInflate = null;
  } else zlib.handle.reset();
  return null;
}

/** PNG filter types 0-4 (spec section 9), undone in place in `row`; `above` is the final row above. */
function unfilter(filter: number, row: Uint8Array, above: Uint8Array, bpp: number): void {
  const n = row.length;
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = bpp; i < n; i += 1) row[i] = ((row[i] as number) + (row[i - bpp] as number)) & 255;
      return;
    case 2:
      for (let i = 0; i < n; i += 1) row[i] = ((row[i] as number) + (above[i] as number)) & 255;
      return;
    case 3:
      for (let i = 0; i < n; i += 1) {
        const left = i >= bpp ? (row[i - bpp] as number) : 0;
        row[i] = ((row[i] as number) + ((left + (above[i] as number)) >> 1)) & 255;
      }
      return;
    case 4:
      for (let i = 0; i < n; i += 1) {
        const a = i >= bpp ? (row[i - bpp] as number) : 0;
        const b = above[i] as number;
        const c = i >= bpp ? (above[i - bpp] as number) : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        row[i] = ((row[i] as number) + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
      }
      return;
    default:
      throw new Error(`PNG filter type ${filter}`);
  }
}

/** One unfiltered row as RGBA at `out[at]`; tRNS becomes alpha as libpng's tRNS-to-alpha does. */
function expandRow(
  row: Uint8Array,
  width: number,
  colorType: number,
  depth: number,
  palette: Uint8Array | null,
  transparency: Uint8Array | null,
  out: Uint8Array,
  at: number,
  paletteLUT: Uint32Array | null,
): void {
  switch (colorType) {
    case 3: {
      const bytes = new Uint8Array((paletteLUT ?? paletteLut(palette, transparency)).buffer);
      const perByte = 8 / depth;
      const mask = (1 << depth) - 1;
      for (let x = 0, o = at; x < width; x += 1, o += 4) {
        const packed = row[Math.floor(x / perByte)] as number;
        const from = (depth === 8 ? packed : (packed >> ((perByte - 1 - (x % perByte)) * depth)) & mask) * 4;
        out[o] = bytes[from] as number;
        out[o + 1] = bytes[from + 1] as number;
        out[o + 2] = bytes[from + 2] as number;
        out[o + 3] = bytes[from + 3] as number;
      }
      return;
    }
    case 0: {
      const key =
        transparency !== null && transparency.length >= 2
          ? ((transparency[0] as number) << 8) | (transparency[1] as number)
          : -1;
      for (let x = 0, o = at; x < width; x += 1, o += 4) {
        const v = row[x] as number;
        out[o] = v;
        out[o + 1] = v;
        out[o + 2] = v;
        out[o + 3] = v === key ? 0 : 255;
      }
      return;
    }
    case 4:
      for (let x = 0, o = at; x < width; x += 1, o += 4) {
        const v = row[x * 2] as number;
        out[o] = v;
        out[o + 1] = v;
        out[o + 2] = v;
        out[o + 3] = row[x * 2 + 1] as number;
      }
      return;
    case 2: {
      const t = transparency !== null && transparency.length >= 6 ? transparency : null;
      const [kr, kg, kb] = t === null ? [-1, -1, -1] : [rgb16(t, 0), rgb16(t, 2), rgb16(t, 4)];
      for (let x = 0, o = at; x < width; x += 1, o += 4) {
        const r = row[x * 3] as number;
        const g = row[x * 3 + 1] as number;
        const b = row[x * 3 + 2] as number;
        out[o] = r;
        out[o + 1] = g;
        out[o + 2] = b;
        out[o + 3] = r === kr && g === kg && b === kb ? 0 : 255;
      }
      return;
    }
    default:
      out.set(row.subarray(0, width * 4), at);
  }
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * RGBA per palette index as one 32-bit word in memory order: an index past the palette decodes
 * as black (libpng), alpha from tRNS where it has an entry, else opaque.
 */
function paletteLut(palette: Uint8Array | null, transparency: Uint8Array | null): Uint32Array {
  const lut = new Uint32Array(256);
  const bytes = new Uint8Array(lut.buffer);
  // byte by byte: a subarray per entry cost more than expanding a cached tile in wasm
  const colorBytes = Math.min(palette?.length ?? 0, 768);
  for (let j = 0; j < colorBytes; j += 1) bytes[Math.floor(j / 3) * 4 + (j % 3)] = palette?.[j] as number;
  const alphas = transparency?.length ?? 0;
  for (let i = 0; i < 256; i += 1) bytes[i * 4 + 3] = i < alphas ? (transparency?.[i] as number) : 255;
  return lut;
}

function rgb16(t: Uint8Array, i: number): number {
  return ((t[i] as number) << 8) | (t[i + 1] as number);
}
