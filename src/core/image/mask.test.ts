/**
 * Coverage clipping masks: Pillow 9.4's polygon fill (MapProxy 1.15 draws its clip mask with
 * `ImageDraw.polygon`), holes cleared after their exterior.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  closeImageWorkers,
  closePaletteWorkers,
  fillPolygon,
  imageFromRaw,
  maskImage,
  paletteThreadCount,
  type ImageResult,
  type PixelRing,
} from './index.js';

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

function filledRows(ring: PixelRing, width = 8, height = 8): string[] {
  const mask = new Uint8Array(width * height);
  fillPolygon(mask, width, height, ring, 1);
  return Array.from({ length: height }, (_, y) =>
    Array.from(mask.subarray(y * width, (y + 1) * width), (v) => (v === 1 ? '#' : '.')).join(''),
  );
}

// Each expected mask is Pillow 9.4's (Debian 12's python3-pil, which MapProxy 1.15 there runs on):
// Image.new('L', (8, 8), 255) and ImageDraw.Draw(m).polygon(ring, fill=0), '#' where it is 0.
test("fills a polygon as Pillow 9.4's ImageDraw.polygon: truncated vertices, spans rounded inwards", () => {
  const ring: PixelRing = [
    [4.05, -0.15],
    [6.31, 6.69],
    [0.62, 2.61],
    [-0.74, 0.08],
    [0.55, -2.43],
    [4.62, -2.03],
  ];
  assert.deepEqual(filledRows(ring), [
    '#####...',
    '#####...',
    '######..',
    '..####..',
    '...###..',
    '.....##.',
    '......##',
    '........',
  ]);
  const closed: PixelRing = [
    [7.84, 2.21],
    [7.85, 4.85],
    [1.22, 7.26],
    [2.97, 2.06],
    [1.21, -3.86],
    [5.56, -0.81],
    [7.84, 2.21],
  ];
  assert.deepEqual(filledRows(closed), [
    '..####..',
    '..#####.',
    '..######',
    '..######',
    '..######',
    '.#####..',
    '.###....',
    '##......',
  ]);
});

test("draws Pillow's horizontal edges and connects its discontiguous corners", () => {
  assert.deepEqual(
    filledRows([
      [1, 1],
      [0, 2],
      [-1, 2],
      [0, 4],
    ]),
    ['........', '.##.....', '##......', '#.......', '#.......', '........', '........', '........'],
  );
  assert.deepEqual(
    filledRows([
      [7, 5],
      [0, 7],
      [4, 5],
    ]),
    ['........', '........', '........', '........', '........', '....####', '..##....', '##......'],
  );
});

test('masks outside the exteriors and inside the holes, and keeps the colours inside', async () => {
  const square = (a: number, b: number): [number, number][] => [
    [a, a],
    [b, a],
    [b, b],
    [a, b],
    [a, a],
  ];
  assert.deepEqual(await alphaRows(await maskImage(solid(6, 6), [[square(0, 5.5), square(2, 3)]])), [
    '######',
    '######',
    '##..##',
    '##..##',
    '######',
    '######',
  ]);
  assert.deepEqual(await alphaRows(await maskImage(solid(3, 2), [])), ['...', '...']);
  const kept = await maskImage(solid(2, 2), [
    [
      [
        [-1, -1],
        [3, -1],
        [3, 3],
        [-1, 3],
        [-1, -1],
      ],
    ],
  ]);
  assert.deepEqual([...(await kept.raw()).data.subarray(0, 4)], [200, 200, 200, 200]);
});

test("masks a large image on an image thread, with fillPolygon's pixels", async (t) => {
  t.after(() => Promise.all([closeImageWorkers(), closePaletteWorkers()]));
  // the image threads are shared: none runs before the mask
  await Promise.all([closeImageWorkers(), closePaletteWorkers()]);
  assert.equal(paletteThreadCount(), 0);
  const [width, height] = [700, 600];
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i += 1) data[i] = (i * 7) % 251;
  const star: PixelRing = Array.from({ length: 41 }, (_, i) => {
    const r = i % 2 === 0 ? 340 : 120;
    const a = (Math.PI * i) / 20;
    return [350 + r * Math.cos(a), 300 + r * Math.sin(a)] as [number, number];
  });
  const hole: PixelRing = [
    [330, 280],
    [370.5, 280],
    [370.5, 320],
    [330, 320],
  ];
  const masked = await (await maskImage(imageFromRaw({ data, size: [width, height] }), [[star, hole]])).raw();
  assert.equal(paletteThreadCount(), 1);
  const keep = new Uint8Array(width * height);
  fillPolygon(keep, width, height, star, 1);
  fillPolygon(keep, width, height, hole, 0);
  const expected = Buffer.from(data);
  for (let p = 0; p < keep.length; p += 1) if (keep[p] === 0) expected.writeUInt32LE(0, p * 4);
  assert.ok(keep.includes(0) && keep.includes(1));
  assert.ok(masked.data.equals(expected));
});
