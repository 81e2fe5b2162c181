import assert from 'node:assert/strict';
import test from 'node:test';
import { cropAndScale, imageFromRaw, type ImageResult } from './index.js';

/** 4x4 RGBA with varied colours and some alpha 100 pixels (same generator as the PIL script). */
function source(): ImageResult {
  const data = Buffer.alloc(4 * 4 * 4);
  for (let y = 0; y < 4; y += 1) {
    for (let x = 0; x < 4; x += 1)
      data.set([x * 80, y * 80, (x * y * 40) % 256, (x + y) % 3 ? 255 : 100], (y * 4 + x) * 4);
  }
  return imageFromRaw({ data, size: [4, 4] });
}

async function pixels(image: ImageResult): Promise<number[][]> {
  const { data } = await image.raw();
  const out: number[][] = [];
  for (let i = 0; i < data.length; i += 4) out.push([...data.subarray(i, i + 4)]);
  return out;
}

// Expected: Pillow 9.4 `img.transform((6, 4), Image.EXTENT, (0.5, 0.5, 3.5, 2.5), filter)` on the
// same image (/usr/bin/python3), the call MapProxy's _transform_simple makes.
const EXPECTED = {
  nearest: [
    [0, 0, 0, 100],
    [80, 0, 0, 255],
    [80, 0, 0, 255],
    [160, 0, 0, 255],
    [160, 0, 0, 255],
    [240, 0, 0, 100],
    [0, 80, 0, 255],
    [80, 80, 40, 255],
    [80, 80, 40, 255],
    [160, 80, 80, 100],
    [160, 80, 80, 100],
    [240, 80, 120, 255],
    [0, 80, 0, 255],
    [80, 80, 40, 255],
    [80, 80, 40, 255],
    [160, 80, 80, 100],
    [160, 80, 80, 100],
    [240, 80, 120, 255],
    [0, 160, 0, 255],
    [80, 160, 80, 100],
    [80, 160, 80, 100],
    [160, 160, 160, 255],
    [160, 160, 160, 255],
    [240, 160, 240, 255],
  ],
  bilinear: [
    [30, 30, 3, 167],
    [68, 22, 7, 225],
    [96, 16, 9, 245],
    [137, 11, 9, 225],
    [174, 13, 16, 196],
    [211, 25, 38, 158],
    [22, 68, 7, 225],
    [62, 62, 22, 245],
    [91, 56, 31, 225],
    [129, 48, 36, 167],
    [187, 51, 62, 158],
    [226, 65, 94, 196],
    [16, 96, 9, 245],
    [56, 91, 31, 225],
    [93, 93, 57, 196],
    [132, 106, 90, 158],
    [190, 109, 128, 167],
    [227, 102, 145, 225],
    [11, 137, 9, 225],
    [48, 129, 36, 167],
    [106, 132, 90, 158],
    [145, 145, 135, 196],
    [182, 147, 167, 225],
    [221, 141, 196, 245],
  ],
  bicubic: [
    [26, 26, 4, 172],
    [57, 23, 9, 238],
    [106, 15, 8, 255],
    [131, 4, 1, 237],
    [190, 2, 8, 183],
    [220, 18, 30, 153],
    [23, 57, 9, 238],
    [67, 67, 27, 255],
    [94, 49, 26, 240],
    [109, 22, 5, 145],
    [222, 15, 38, 119],
    [236, 48, 75, 183],
    [15, 106, 8, 255],
    [49, 94, 26, 240],
    [102, 102, 68, 167],
    [107, 132, 97, 112],
    [216, 130, 167, 145],
    [235, 108, 160, 237],
    [4, 131, 1, 237],
    [22, 109, 5, 145],
    [132, 107, 97, 112],
    [137, 137, 117, 167],
    [189, 144, 172, 240],
    [237, 147, 216, 255],
  ],
} as const;

for (const method of ['nearest', 'bilinear', 'bicubic'] as const) {
  test(`a fractional box scaled with ${method} matches Pillow's EXTENT transform exactly`, async () => {
    const scaled = await cropAndScale(source(), [0.5, 0.5, 3.5, 2.5], [6, 4], method);
    assert.deepEqual(scaled.size, [6, 4]);
    assert.deepEqual(await pixels(scaled), EXPECTED[method]);
  });
}

test('an integer box of the output size is a plain crop; outside the source is transparent', async () => {
  const cropped = await cropAndScale(source(), [3, 2, 5, 3], [2, 1], 'bicubic');
  assert.deepEqual(await pixels(cropped), [
    [240, 160, 240, 255],
    [0, 0, 0, 0],
  ]);
});

test('scaling beyond the source edge leaves transparent pixels', async () => {
  const scaled = await cropAndScale(source(), [2, 0, 6, 4], [8, 8], 'bilinear');
  const row = (await pixels(scaled)).slice(0, 8);
  assert.deepEqual(row[7], [0, 0, 0, 0]); // source x 5.75
  assert.notEqual(row[0]?.[3], 0); // source x 2.25
});
