/**
 * Writes an 8-bit paletted PNG (colour type 3) from a palette and pixel indices, as PIL saves a
 * `P` image: PLTE, a tRNS chunk for an RGBA palette or when an entry is translucent, unfiltered rows, zlib level 6
 * (memLevel 9) with the Z_RLE strategy (MapProxy's `img_to_buf` saves quantised images with
 * `compress_type=Image.RLE`): run-length matches only, 2-3x faster than the default strategy's
 * string matching, which was the largest single cost of a WMS GetMap's encode.
 */
import { constants, crc32, deflateSync } from 'node:zlib';
import { keptBuffer } from './kept-buffer.js';
import type { Quantized } from './quantize.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The rows to deflate, in one buffer kept per thread up to a 1024x1024 image: deflateSync is done
 * with them before the next encode on this thread, and a fresh zeroed buffer per encode (257 kB
 * for a 512x512 map) cost its memset and its share of the GC.
 */
const rowsBuffer = keptBuffer(1025 * 1024);

/** One PNG chunk: length, type, `data` and its CRC. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** The PNG bytes of `width` x `height` pixels given as `quantized` palette indices, rows top first. */
export function encodeIndexedPng(
  width: number,
  height: number,
  { palette, indices, alphaPalette }: Quantized,
): Buffer {
  const entries = palette.length / 4;
  // Pillow PngImagePlugin: a palette of up to 16 entries packs its indices in 4, 2 or 1 bits
  const bits = entries <= 2 ? 1 : entries <= 4 ? 2 : entries <= 16 ? 4 : 8;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([bits, 3, 0, 0, 0], 8); // bit depth, palette, deflate, adaptive filters, no interlace
  const rgb = new Uint8Array(entries * 3);
  let lastTranslucent = -1;
  for (let i = 0; i < entries; i++) {
    rgb.set(palette.subarray(i * 4, i * 4 + 3), i * 3);
    if (palette[i * 4 + 3] !== 255) lastTranslucent = i;
  }
  // each row is filter byte 0 (none) and its indices: palette images rarely gain from filters;
  // every byte is written (the buffer may hold the last encode's rows)
  const rowBytes = Math.ceil((width * bits) / 8);
  const rows = rowsBuffer((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    const at = y * (rowBytes + 1);
    rows[at] = 0;
    const row = indices.subarray(y * width, (y + 1) * width);
    if (bits === 8) {
      rows.set(row, at + 1);
      continue;
    }
    // the leftmost pixel in the high bits; the last byte's unused low bits are zero
    rows.fill(0, at + 1, at + 1 + rowBytes);
    const perByte = 8 / bits;
    for (let x = 0; x < width; x++) {
      const byte = at + 1 + Math.floor(x / perByte);
      rows[byte] = (rows[byte] as number) | ((row[x] as number) << (8 - bits * (1 + (x % perByte))));
    }
  }
  const chunks = [pngChunk('IHDR', header), pngChunk('PLTE', rgb)];
  // Pillow PngImagePlugin: an RGBA palette's alphas all go out (a full palette of opaque entries
  // too); the 9 bytes up to the last translucent entry were not MapProxy's tile (seeding
  // differential, seed 3: a level-0 tile using all 256 entries, its transparent one at index 8)
  const alphaEntries = alphaPalette === true ? entries : lastTranslucent + 1;
  if (alphaEntries > 0) {
    const alpha = new Uint8Array(alphaEntries);
    for (let i = 0; i < alphaEntries; i++) alpha[i] = palette[i * 4 + 3] as number;
    chunks.push(pngChunk('tRNS', alpha));
  }
  // one deflate stream kept per thread and reset (its handle's writeSync; `_processChunk` closes the
  // stream) instead of deflateSync's ~262 kB of zlib state per call: same bytes, ~7% less CPU an
  // encode in isolation, but no lower peak RSS per worker (5 pairs of tms-cold/-hit/wms-3857,
  // medians 137/145/168 -> 137/150/176 MB) nor cold-tile CPU (5.44 -> 5.77 ms, 4 pairs): the
  // palette thread's 21-26 MB arena after cold tiles was live (malloc_trim: -1.1-2.6 MB): each job's
  // PNGs and tile buffer waiting for a full collection, since gone (meta-tiles-job.ts)
  chunks.push(
    // memLevel 9 as Pillow's ZipEncode: it sizes the deflate blocks, so an image whose rows need
    // more than one block (many colours, e.g. a level-0 tile) came out ~5% smaller and not
    // MapProxy's bytes with zlib's default 8 (seeding differential, seeds 2 and 3)
    pngChunk('IDAT', deflateSync(rows, { level: 6, strategy: constants.Z_RLE, memLevel: 9 })),
    pngChunk('IEND', new Uint8Array(0)),
  );
  return Buffer.concat([SIGNATURE, ...chunks]);
}
