/**
 * The paletted PNG writer: rows built in a buffer reused across encodes still come out as if
 * built afresh (filter bytes and indices of the last, larger image do not leak into the next).
 */
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { test } from 'node:test';
import { encodeIndexedPng } from './png-indexed.js';

/** The IDAT data of `png` inflated: each row's filter byte, then its indices. */
function inflatedRows(png: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') parts.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return inflateSync(Buffer.concat(parts));
}

test('an encode after a larger one gives the same bytes as before it: every row byte is written', () => {
  // 256 entries: 8-bit indices (a palette of up to 16 entries packs them, below)
  const palette = new Uint8Array(256 * 4).fill(255);
  const small = { palette, indices: Uint8Array.from({ length: 5 * 3 }, (_, i) => i % 3) };
  const large = { palette, indices: new Uint8Array(40 * 30).fill(7) };
  const first = encodeIndexedPng(5, 3, small);
  const rows = inflatedRows(first);
  assert.deepEqual([...rows], [0, 0, 1, 2, 0, 1, 0, 2, 0, 1, 2, 0, 0, 1, 2, 0, 1, 2]);
  const big = encodeIndexedPng(40, 30, large);
  assert.ok(inflatedRows(big).every((byte, i) => byte === (i % 41 === 0 ? 0 : 7)));
  assert.ok(encodeIndexedPng(5, 3, small).equals(first));
});

test('a palette of up to 16 entries packs the indices in 4, 2 or 1 bits, leftmost pixel high, as Pillow', () => {
  const indices = Uint8Array.from({ length: 5 * 3 }, (_, i) => i % 3);
  const header = (png: Buffer): number => png[24] as number;
  const four = encodeIndexedPng(5, 3, { palette: new Uint8Array(8 * 4).fill(255), indices });
  assert.equal(header(four), 4);
  assert.deepEqual([...inflatedRows(four)], [0, 0x01, 0x20, 0x10, 0, 0x20, 0x12, 0x00, 0, 0x12, 0x01, 0x20]);
  const two = encodeIndexedPng(5, 3, { palette: new Uint8Array(4 * 4).fill(255), indices });
  assert.equal(header(two), 2);
  assert.deepEqual(
    [...inflatedRows(two)],
    [0, 0b00011000, 0b01000000, 0, 0b10000110, 0b00000000, 0, 0b01100001, 0b10000000],
  );
  const one = encodeIndexedPng(9, 1, {
    palette: new Uint8Array(2 * 4).fill(255),
    indices: Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 1, 1]),
  });
  assert.equal(header(one), 1);
  assert.deepEqual([...inflatedRows(one)], [0, 0b10110001, 0b10000000]);
});
