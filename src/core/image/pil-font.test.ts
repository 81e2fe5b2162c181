/**
 * Text in Pillow's default bitmap font, against images MapProxy 1.15's `message_image` drew
 * (testdata/pil-font, from /usr/bin/python3 with Pillow 9.4): every pixel the same.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import sharp from 'sharp';
import { pilMessageImage } from './index.js';

const LATIN1 = Array.from({ length: 224 }, (_, i) => String.fromCharCode(32 + i)).join('');

const CASES = [
  // message_image('snow ☃ man é', (256, 256), ImageOptions(transparent=True)): not latin-1, so ASCII with '?'
  { file: 'snow-transparent', text: 'snow ☃ man é', size: [256, 256], options: { transparent: true } },
  // every latin-1 glyph on one line, white on black, clipped at 700 px
  { file: 'latin1-dark', text: LATIN1, size: [700, 60], options: { bgcolor: [0, 0, 0] } },
  // glyphs reaching over their neighbours, clipped at the right and bottom edge
  { file: 'clipped-white', text: 'AaWwMm@#{}|~`\'"\\/.,;:!?()[]<>', size: [40, 20], options: {} },
] as const;

for (const { file, text, size, options } of CASES) {
  test(`draws ${file} as MapProxy's message_image does, pixel for pixel`, async () => {
    const ours = await pilMessageImage(text, size, options).raw();
    const theirs = await sharp(await readFile(new URL(`testdata/pil-font/${file}.png`, import.meta.url)))
      .ensureAlpha()
      .raw()
      .toBuffer();
    assert.equal(ours.data.length, theirs.length);
    let differing = 0;
    for (let i = 0; i < theirs.length; i += 4)
      if (theirs.readUInt32BE(i) !== ours.data.readUInt32BE(i)) differing++;
    assert.equal(differing, 0);
  });
}
