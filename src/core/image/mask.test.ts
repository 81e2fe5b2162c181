/** Coverage clipping masks: binary, holes cut out, MapProxy's pixel rule along axis-aligned edges. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageFromRaw, maskImage, type ImageResult } from './index.js';

function solid(width: number, height: number): ImageResult {
  return imageFromRaw({ data: Buffer.alloc(width * height * 4, 200), size: [width, height] });
}

/** One character per pixel: `#` kept, `.` transparent, `?` anything in between. */
async function alphaRows(image: ImageResult): Promise<string[]> {
  const { data, size } = await image.raw();
  const rows: string[] = [];
  for (let y = 0; y < size[1]; y += 1) {
    let row = '';
    for (let x = 0; x < size[0]; x += 1) {
      const alpha = data[(y * size[0] + x) * 4 + 3];
      row += alpha === 200 ? '#' : alpha === 0 ? '.' : '?';
    }
    rows.push(row);
  }
  return rows;
}

test('keeps pixels a polygon overlaps by more than 0.1 px and drops those near a hole, like MapProxy', async () => {
  // exterior 1.6..8.4: pixels 1..8 overlap it by 0.4 px. MapProxy shrinks the polygon by 0.1 px,
  // so the hole 4.05..5.95 grows to 3.95..6.05 and PIL drops every pixel it touches: 3..6.
  // Expected rows checked against Pillow 9.4 + shapely (MapProxy's image_mask_from_geom).
  const ring = (a: number, b: number): [number, number][] => [[a, a], [b, a], [b, b], [a, b], [a, a]];
  const masked = await maskImage(solid(10, 10), [[ring(1.6, 8.4), ring(4.05, 5.95)]]);
  assert.deepEqual(await alphaRows(masked), [
    '..........',
    '.########.',
    '.########.',
    '.##....##.',
    '.##....##.',
    '.##....##.',
    '.##....##.',
    '.########.',
    '.########.',
    '..........',
  ]);
});

test('an edge on a pixel boundary does not keep the pixel it only touches', async () => {
  const masked = await maskImage(solid(6, 1), [[[[0, -1], [3, -1], [3, 2], [0, 2], [0, -1]]]]);
  assert.deepEqual(await alphaRows(masked), ['###...']);
});

test('no polygons make the whole image transparent and colours inside stay untouched', async () => {
  assert.deepEqual(await alphaRows(await maskImage(solid(3, 2), [])), ['...', '...']);
  const kept = await maskImage(solid(2, 2), [[[[-1, -1], [3, -1], [3, 3], [-1, 3], [-1, -1]]]]);
  assert.deepEqual([...(await kept.raw()).data.subarray(0, 4)], [200, 200, 200, 200]);
});
