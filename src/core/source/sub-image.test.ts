/**
 * A source or layer answer limited to its extent is pasted onto a transparent canvas (MapProxy
 * `SubImageSource`); pinned with MapProxy 1.15's own answer in test/fixtures/sub-image-jpeg.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { imageFromBytes, imageFromRaw, type ImageFormatOptions } from '../image/index.js';
import { pasteOnTransparent } from './images.js';

interface Capture {
  readonly rgba: readonly number[];
  readonly jpeg: { readonly mode: string; readonly pixels: readonly number[] };
}

const capture = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/sub-image-jpeg/cases.json', import.meta.url), 'utf8'),
) as Capture;

// the same input as capture.py: red 8x8, a semi-transparent blue top row, a transparent green bottom row
function subImage(): Buffer {
  const data = Buffer.alloc(8 * 8 * 4);
  for (let i = 0; i < 64; i += 1) {
    const row = Math.floor(i / 8);
    const pixel = row === 0 ? [0, 0, 255, 128] : row === 7 ? [0, 128, 0, 0] : [255, 0, 0, 255];
    data.set(pixel, i * 4);
  }
  return data;
}

const JPEG: ImageFormatOptions = {
  format: 'image/jpeg',
  mode: null,
  colors: 0,
  transparent: true,
  resampling: 'bicubic',
  jpegQuality: 90,
  quantizer: null,
};

test('the canvas around a sub image is white with alpha 0, pixels inside are copied as they are', async () => {
  const placed = await pasteOnTransparent(imageFromRaw({ data: subImage(), size: [8, 8] }), [24, 16], [8, 4]);
  assert.deepEqual([...(await placed.raw()).data], capture.rgba);
});

test('a transparent jpeg map is white (not black) where a sub image has no data, as MapProxy', async () => {
  const placed = await pasteOnTransparent(imageFromRaw({ data: subImage(), size: [8, 8] }), [24, 16], [8, 4]);
  const encoded = await placed.encode(JPEG);
  assert.equal(encoded.format, 'image/jpeg');
  const decoded = await imageFromBytes(encoded.data).raw();
  // libjpeg-turbo on both sides, but not bit-identical settings: a small per-channel tolerance
  let worst = 0;
  for (let i = 0; i < 24 * 16; i += 1) {
    for (let c = 0; c < 3; c += 1) {
      const ours = decoded.data[i * 4 + c] ?? -1;
      const theirs = capture.jpeg.pixels[i * 3 + c] ?? -1;
      worst = Math.max(worst, Math.abs(ours - theirs));
    }
  }
  assert.equal(capture.jpeg.mode, 'RGB');
  assert.ok(worst <= 12, `max channel difference ${String(worst)} > 12`);
});
