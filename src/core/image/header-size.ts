/**
 * Pixel size from an encoded image's header, without decoding it, so `imageFromBytes` can report
 * `size` synchronously. Returns null for a header it cannot read.
 */
import type { Size } from '../util/index.js';
import type { FormatName } from './formats.js';

/** `[width, height]` from the header of `data` in `format`, or null when the header is unreadable. */
export function headerSize(data: Buffer, format: FormatName): Size | null {
  try {
    switch (format) {
      case 'png':
        return positive(data.readUInt32BE(16), data.readUInt32BE(20));
      case 'gif':
        return positive(data.readUInt16LE(6), data.readUInt16LE(8));
      case 'jpeg':
        return jpegSize(data);
      case 'webp':
        return webpSize(data);
      case 'tiff':
        return tiffSize(data);
    }
  } catch {
    // a RangeError from a truncated header
    return null;
  }
}

function positive(width: number, height: number): Size | null {
  return width > 0 && height > 0 ? [width, height] : null;
}

/** Walks the JPEG markers up to the first start-of-frame (SOF0-SOF15 except DHT/JPG/DAC). */
function jpegSize(data: Buffer): Size | null {
  let pos = 2;
  while (pos + 4 <= data.length) {
    if (data[pos] !== 0xff) return null;
    const marker = data[pos + 1] ?? 0;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
      continue;
    }
    const length = data.readUInt16BE(pos + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return positive(data.readUInt16BE(pos + 7), data.readUInt16BE(pos + 5));
    pos += 2 + length;
  }
  return null;
}

function webpSize(data: Buffer): Size | null {
  const chunk = data.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') {
    return positive(data.readUInt16LE(26) & 0x3fff, data.readUInt16LE(28) & 0x3fff);
  }
  if (chunk === 'VP8L') {
    const bits = data.readUInt32LE(21);
    return positive((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') {
    return positive(data.readUIntLE(24, 3) + 1, data.readUIntLE(27, 3) + 1);
  }
  return null;
}

/** Reads ImageWidth (256) and ImageLength (257) from the first IFD. */
function tiffSize(data: Buffer): Size | null {
  const little = data[0] === 0x49;
  const u16 = (at: number): number => (little ? data.readUInt16LE(at) : data.readUInt16BE(at));
  const u32 = (at: number): number => (little ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const ifd = u32(4);
  const count = u16(ifd);
  let width = 0;
  let height = 0;
  for (let i = 0; i < count; i += 1) {
    const entry = ifd + 2 + i * 12;
    const tag = u16(entry);
    if (tag !== 256 && tag !== 257) continue;
    // SHORT (3) or LONG (4), value stored in the entry itself
    const value = u16(entry + 2) === 3 ? u16(entry + 8) : u32(entry + 8);
    if (tag === 256) width = value;
    else height = value;
  }
  return positive(width, height);
}
