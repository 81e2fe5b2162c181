/**
 * The alpha scans that skip opaque pixels eight at a time: every translucent pixel is still found
 * (in a group, in the tail, in views that are not word-aligned), and flattening composites exactly
 * the pixels a pixel-by-pixel pass does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flattenOnto } from './flatten.js';
import { hasTransparency, nextTranslucent, rgbaWords } from './pixels.js';

/** `pixels` opaque RGBA pixels of varying colour, in a buffer `offset` bytes into a larger one. */
function opaque(pixels: number, offset = 0): Uint8Array {
  const data = new Uint8Array(offset + pixels * 4).subarray(offset);
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 255 : (i * 37) % 256;
  return data;
}

test('the first translucent pixel is found at any position, aligned or not', () => {
  let checked = 0;
  for (const offset of [0, 1, 4]) {
    for (const pixels of [1, 7, 8, 9, 16, 17, 31]) {
      const none = opaque(pixels, offset);
      assert.equal(nextTranslucent(none, rgbaWords(none), 0), -1, `${pixels} opaque pixels`);
      assert.equal(hasTransparency({ data: Buffer.from(none), size: [pixels, 1] }), false);
      for (let at = 0; at < pixels; at++) {
        for (const alpha of [0, 254, 1]) {
          const data = opaque(pixels, offset);
          data[at * 4 + 3] = alpha;
          const label = `pixel ${at} of ${pixels} (offset ${offset}), alpha ${alpha}`;
          assert.equal(nextTranslucent(data, rgbaWords(data), 0), at, label);
          assert.equal(nextTranslucent(data, rgbaWords(data), at + 1), -1, `${label}: none after`);
          checked += 1;
        }
      }
    }
  }
  assert.equal(checked, 3 * 3 * (1 + 7 + 8 + 9 + 16 + 17 + 31));
  assert.equal(rgbaWords(opaque(2, 1)), null, 'a view off a word boundary has no words');
});

test('flattening composites exactly the pixels a pixel-by-pixel pass composites', () => {
  let state = 11;
  const next = (): number => (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
  for (const offset of [0, 1]) {
    const pixels = 1000;
    const data = opaque(pixels, offset);
    // runs of opaque pixels, lone and clustered translucent ones, alpha 0 with colour left in it
    for (let p = 0; p < pixels; p++) {
      if (p % 50 < 30) continue;
      const alpha = p % 7 === 0 ? 0 : p % 5 === 0 ? 255 : next();
      data.set([next(), next(), next(), alpha], p * 4);
    }
    for (const background of [0, 255, 128]) {
      const expected = Uint8Array.from(data);
      for (let i = 0; i < expected.length; i += 4) {
        const alpha = expected[i + 3] ?? 0;
        for (let c = i; c < i + 3; c++)
          expected[c] = Math.round(((expected[c] ?? 0) * alpha + background * (255 - alpha)) / 255);
        expected[i + 3] = 255;
      }
      const copy = new Uint8Array(data.length + offset).subarray(offset);
      copy.set(data);
      const flattened = flattenOnto(copy, background);
      assert.deepEqual(
        Buffer.from(flattened),
        Buffer.from(expected),
        `background ${background}, offset ${offset}`,
      );
    }
  }
});
