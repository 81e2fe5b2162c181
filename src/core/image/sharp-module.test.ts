import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { decodeToRaw, encodeRaw } from './codec.js';
import { closePaletteWorkers } from './palette-pool.js';
import type { ImageFormatOptions } from './types.js';

/** Whether sharp's libvips is mapped into this process (each test file runs in a process of its own). */
const sharpLoaded = async (): Promise<boolean> => (await readFile('/proc/self/maps', 'utf8')).includes('libvips');

const options = (format: string, colors: number): ImageFormatOptions => ({
  format,
  mode: null,
  colors,
  transparent: false,
  resampling: 'bicubic',
  jpegQuality: 90,
  quantizer: null,
});

test('sharp is loaded by the first encode that needs it, not by 8-bit PNG tiles', async (t) => {
  t.after(() => closePaletteWorkers());
  const pixels = Buffer.alloc(256 * 256 * 4, 200);
  const raw = { data: pixels, size: [256, 256] as const };
  assert.equal(await sharpLoaded(), false, 'not loaded by importing the image module');

  // what seeding an 8-bit PNG cache does: palette encodes on the threads, tile-sized PNG decodes inline
  const paletted = await encodeRaw(raw, options('image/png', 256));
  const decoded = await decodeToRaw(paletted.data);
  assert.deepEqual([decoded.size, decoded.data.subarray(0, 4)], [[256, 256], Buffer.from([200, 200, 200, 255])]);
  assert.equal(await sharpLoaded(), false, 'an 8-bit PNG encode and decode need no sharp');

  const jpeg = await encodeRaw(raw, options('image/jpeg', 0));
  assert.equal(jpeg.format, 'image/jpeg');
  assert.deepEqual([...jpeg.data.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  assert.equal(await sharpLoaded(), true, 'a JPEG encode loads it');
});
