import assert from 'node:assert/strict';
import test from 'node:test';
import { messageImage, type ImageResult } from './index.js';

/** Count of pixels in the rectangle whose RGB differs from `bg` or whose alpha is not `alpha`. */
async function inked(
  image: ImageResult,
  rect: readonly [number, number, number, number],
  bg: readonly number[],
): Promise<number> {
  const { data, size } = await image.raw();
  let count = 0;
  for (let y = rect[1]; y < rect[3]; y += 1) {
    for (let x = rect[0]; x < rect[2]; x += 1) {
      const at = (y * size[0] + x) * 4;
      if ([0, 1, 2, 3].some((c) => data[at + c] !== bg[c])) count += 1;
    }
  }
  return count;
}

test('the message is drawn at the upper left and the rest stays background', async () => {
  const image = await messageImage('Layer "x" <failed> & more\nsecond line', [200, 60]);
  assert.deepEqual(image.size, [200, 60]);
  assert.ok(
    (await inked(image, [0, 0, 120, 32], [255, 255, 255, 255])) > 50,
    'text pixels near the top left',
  );
  assert.equal(await inked(image, [0, 40, 200, 60], [255, 255, 255, 255]), 0, 'nothing below the two lines');
});

test('text is white on a dark background and black otherwise', async () => {
  const dark = await (await messageImage('WWWW', [60, 20], { bgcolor: [10, 10, 60] })).raw();
  const light = await (await messageImage('WWWW', [60, 20])).raw();
  const extreme = (data: Buffer, pick: (a: number, b: number) => number): number => {
    let value = data[0] ?? 0;
    for (let i = 0; i < data.length; i += 4) value = pick(value, data[i] ?? 0);
    return value;
  };
  assert.ok(extreme(dark.data, Math.max) > 200, 'white-ish strokes on dark blue');
  assert.ok(extreme(light.data, Math.min) < 60, 'black-ish strokes on white');
});

test('a transparent message image keeps the bgcolor at alpha 0 and draws opaque black text', async () => {
  // MapProxy create_image: bgcolor + (0,); ExceptionImage.font_color: black when transparent
  const image = await messageImage('z=3 x=1 y=2', [256, 256], { transparent: true, bgcolor: [10, 10, 60] });
  const { data } = await image.raw();
  assert.deepEqual([...data.subarray(0, 4)], [10, 10, 60, 0]);
  assert.ok((await inked(image, [0, 0, 80, 16], [10, 10, 60, 0])) > 20, 'text at the upper left');
  assert.equal(await inked(image, [0, 16, 256, 256], [10, 10, 60, 0]), 0, 'one line only');
  const ink = new Set<string>();
  for (let i = 0; i < data.length; i += 4) if (data[i + 3] !== 0) ink.add([...data.subarray(i, i + 4)].join(','));
  assert.deepEqual([...ink], ['0,0,0,255']);
});

test('a bad size rejects rather than throws', async () => {
  await assert.rejects(messageImage('x', [0, 10]), { code: 'IMAGE_INVALID' });
});

test('an empty message is a plain background', async () => {
  const image = await messageImage('', [4, 4], { bgcolor: [1, 2, 3] });
  assert.equal(await inked(image, [0, 0, 4, 4], [1, 2, 3, 255]), 0);
});
