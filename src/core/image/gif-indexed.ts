/**
 * Writes a GIF89a from a palette and pixel indices, as Pillow saves a `P` image: one frame, a
 * global colour table (RGB only) and, when asked, one transparent index. Quantising is the
 * caller's job (see palette-png.ts).
 */
import type { Quantized } from './quantize.js';

const MAX_CODE = 4096;

/**
 * The GIF bytes of `width` x `height` pixels given as `quantized` palette indices, rows top first;
 * palette alpha is dropped, `transparentIndex` (or null) is the one transparent entry.
 */
export function encodeIndexedGif(
  width: number,
  height: number,
  { palette, indices }: Quantized,
  transparentIndex: number | null,
): Buffer {
  const entries = Math.max(1, palette.length / 4);
  let tableBits = 1;
  while (1 << tableBits < entries) tableBits++;
  const parts: Buffer[] = [];
  const screen = Buffer.alloc(13);
  screen.write('GIF89a', 0, 'latin1');
  screen.writeUInt16LE(width, 6);
  screen.writeUInt16LE(height, 8);
  screen[10] = 0x80 | ((tableBits - 1) << 4) | (tableBits - 1); // global table, its size
  parts.push(screen);
  const table = Buffer.alloc(3 << tableBits);
  for (let i = 0; i < palette.length / 4; i++) table.set(palette.subarray(i * 4, i * 4 + 3), i * 3);
  parts.push(table);
  if (transparentIndex !== null) {
    parts.push(Buffer.from([0x21, 0xf9, 0x04, 0x01, 0, 0, transparentIndex, 0]));
  }
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x2c;
  descriptor.writeUInt16LE(width, 5);
  descriptor.writeUInt16LE(height, 7);
  parts.push(descriptor);
  const minCodeSize = Math.max(2, tableBits);
  parts.push(Buffer.from([minCodeSize]), subBlocks(lzw(indices, minCodeSize)), Buffer.from([0x3b]));
  return Buffer.concat(parts);
}

/** GIF's variable-width LZW (codes LSB first), with a clear code when the table is full. */
function lzw(indices: Uint8Array, minCodeSize: number): Uint8Array {
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const out: number[] = [];
  let bits = 0;
  let bitCount = 0;
  let codeSize = minCodeSize + 1;
  const emit = (code: number): void => {
    bits |= code << bitCount;
    bitCount += codeSize;
    while (bitCount >= 8) {
      out.push(bits & 0xff);
      bits >>>= 8;
      bitCount -= 8;
    }
  };
  // string table: (prefix code, next index) -> code; -1 = absent
  const codes = new Int16Array(MAX_CODE * 256).fill(-1);
  let next = end + 1;
  emit(clear);
  if (indices.length === 0) {
    emit(end);
  } else {
    let prefix = indices[0] as number;
    for (let i = 1; i < indices.length; i++) {
      const k = indices[i] as number;
      const key = prefix * 256 + k;
      const code = codes[key] as number;
      if (code >= 0) {
        prefix = code;
        continue;
      }
      emit(prefix);
      if (next === MAX_CODE) {
        emit(clear);
        codes.fill(-1);
        next = end + 1;
        codeSize = minCodeSize + 1;
      } else {
        if (next >= 1 << codeSize) codeSize++;
        codes[key] = next++;
      }
      prefix = k;
    }
    emit(prefix);
    emit(end);
  }
  if (bitCount > 0) out.push(bits & 0xff);
  return Uint8Array.from(out);
}

/** Image data as GIF sub-blocks of at most 255 bytes, then the block terminator. */
function subBlocks(data: Uint8Array): Buffer {
  const blocks = Math.ceil(data.length / 255);
  const out = Buffer.alloc(data.length + blocks + 1);
  let o = 0;
  for (let i = 0; i < data.length; i += 255) {
    const chunk = data.subarray(i, i + 255);
    out[o++] = chunk.length;
    out.set(chunk, o);
    o += chunk.length;
  }
  out[o] = 0;
  return out;
}
