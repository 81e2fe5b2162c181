import assert from 'node:assert/strict';
import test from 'node:test';
import {
  asSubImage,
  blankImage,
  imageFromBytes,
  imageFromRaw,
  mergeImages,
  resolveImageOptions,
  type ImageResult,
} from './index.js';
import sharp from 'sharp';

type Px = readonly [number, number, number, number];

function strip(pixels: readonly Px[]): ImageResult {
  return imageFromRaw({ data: Buffer.from(pixels.flat()), size: [pixels.length, 1] });
}

async function pixels(image: ImageResult): Promise<number[][]> {
  const { data } = await image.raw();
  const out: number[][] = [];
  for (let i = 0; i < data.length; i += 4) out.push([...data.subarray(i, i + 4)]);
  return out;
}

const BOTTOM: Px[] = [
  [255, 0, 0, 255],
  [0, 255, 0, 128],
  [0, 0, 255, 0],
  [10, 20, 30, 200],
  [200, 100, 50, 255],
  [0, 0, 0, 64],
];
const TOP: Px[] = [
  [0, 0, 255, 255],
  [255, 255, 0, 200],
  [50, 60, 70, 100],
  [255, 255, 255, 0],
  [90, 80, 70, 30],
  [1, 2, 3, 255],
];

// Expected pixels: MapProxy 1.15 LayerMerger.merge with Pillow 9.4 for the same two layers
// (/usr/bin/python3; ImageSource(img, image_opts=ImageOptions(transparent=True, opacity=...))).
const CASES = [
  {
    name: 'transparent canvas, no opacity',
    options: { transparent: true },
    opacity: undefined,
    expected: [
      [0, 0, 255, 255],
      [224, 255, 0, 228],
      [50, 60, 70, 100],
      [10, 20, 30, 200],
      [187, 98, 52, 255],
      [1, 2, 3, 255],
    ],
  },
  {
    name: 'transparent canvas, top layer at opacity 0.6',
    options: { transparent: true },
    opacity: 0.6,
    expected: [
      [102, 0, 153, 255],
      [163, 255, 0, 188],
      [50, 60, 70, 60],
      [10, 20, 30, 200],
      [192, 99, 51, 255],
      [1, 2, 3, 179],
    ],
  },
  {
    name: 'opaque bgcolor canvas, no opacity',
    options: { transparent: false, bgcolor: [240, 230, 220] as const },
    opacity: undefined,
    expected: [
      [0, 0, 255, 255],
      [226, 252, 24, 255],
      [165, 163, 161, 255],
      [60, 65, 71, 255],
      [187, 98, 52, 255],
      [1, 2, 3, 255],
    ],
  },
  {
    name: 'opaque bgcolor canvas, top layer at opacity 0.6 (blended by RGB)',
    options: { transparent: false, bgcolor: [240, 230, 220] as const },
    opacity: 0.6,
    expected: [
      [102, 0, 153, 255],
      [201, 250, 44, 255],
      [125, 127, 130, 255],
      [177, 179, 181, 255],
      [134, 88, 62, 255],
      [72, 69, 67, 255],
    ],
  },
];

for (const { name, options, opacity, expected } of CASES) {
  test(`merging matches MapProxy/Pillow: ${name}`, async () => {
    const merged = await mergeImages(
      [{ image: strip(BOTTOM) }, { image: strip(TOP), opacity }],
      [6, 1],
      options,
    );
    assert.deepEqual(await pixels(merged), expected);
  });
}

test('a single opaque layer of the right size is returned unchanged, bytes and all', async () => {
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#336699' } })
    .png()
    .toBuffer();
  const layer = imageFromBytes(png);
  const merged = await mergeImages([{ image: layer }], [4, 4], { transparent: false });
  assert.equal(merged, layer);
});

test('a single layer with transparent pixels is put on the bgcolor when the result is opaque', async () => {
  const layer = strip([
    [0, 0, 0, 0],
    [9, 9, 9, 255],
  ]);
  const merged = await mergeImages([{ image: layer }], [2, 1], { transparent: false, bgcolor: [1, 2, 3] });
  assert.notEqual(merged, layer);
  assert.deepEqual(await pixels(merged), [
    [1, 2, 3, 255],
    [9, 9, 9, 255],
  ]);
});

test('no layers give a blank image of the background', async () => {
  const merged = await mergeImages([], [2, 1], { transparent: true });
  assert.deepEqual(await pixels(merged), [
    [255, 255, 255, 0],
    [255, 255, 255, 0],
  ]);
  assert.deepEqual(await pixels(await mergeImages([], [1, 1], { transparent: false, bgcolor: [5, 6, 7] })), [
    [5, 6, 7, 255],
  ]);
});

// MapProxy 1.15's LayerMerger returns a lone layer as is, opacity or not (pinned in
// test/system/image-options.test.ts: a red source at opacity 0.5 alone comes back pure red)
test('a single layer that needs no background keeps its pixels whatever its opacity', async () => {
  const cases: [transparent: boolean, opaque: boolean][] = [
    [true, false],
    [true, true],
    [false, true],
  ];
  for (const [transparent, opaque] of cases) {
    const layer = strip([[10, 20, 30, 255]]);
    const merged = await mergeImages([{ image: layer, opacity: 0.5, opaque }], [1, 1], { transparent });
    assert.equal(merged, layer);
  }
});

test('a single transparent layer with an opacity below 1 on an opaque map is blended onto it', async () => {
  // MapProxy LayerMerger: a lone layer whose options are transparent is merged onto the
  // background, where Image.blend fades it even where it is opaque (MapProxy: 255,127,127)
  const merged = await mergeImages([{ image: strip([[255, 0, 0, 255]]), opacity: 0.5 }], [1, 1], {
    transparent: false,
  });
  assert.deepEqual(await pixels(merged), [[255, 127, 127, 255]]);
});

test('blankImage fills with the colour and defaults to transparent white', async () => {
  assert.deepEqual(await pixels(blankImage([2, 1])), [
    [255, 255, 255, 0],
    [255, 255, 255, 0],
  ]);
  assert.deepEqual(await pixels(blankImage([1, 1], [1, 2, 3, 255])), [[1, 2, 3, 255]]);
});

test('blank images encode unquantised even when the options say paletted (MapProxy BlankImageSource)', async () => {
  const png8 = resolveImageOptions({ format: 'image/png', image: { transparent: true } });
  assert.equal(png8.colors, 256);
  const { data } = await blankImage([8, 8]).encode(png8);
  assert.equal(data[25], 6); // IHDR colour type RGBA, not 3 (palette)
});

test("a lone opaque layer's encoded answer keeps its transparent pixels; a sub image gets the bgcolor", async () => {
  // MapProxy LayerMerger.merge: a layer whose image options are not transparent is returned as is;
  // SubImageSource forces its options transparent, so it is merged onto the background
  const answer = imageFromBytes(
    await sharp(Buffer.from([0, 0, 0, 0, 9, 9, 9, 255]), { raw: { width: 2, height: 1, channels: 4 } })
      .png()
      .toBuffer(),
  );
  const merged = await mergeImages([{ image: answer, opaque: true }], [2, 1], {
    transparent: false,
    bgcolor: [1, 2, 3],
  });
  assert.equal(merged, answer);
  const sub = asSubImage(
    strip([
      [0, 0, 0, 0],
      [9, 9, 9, 255],
    ]),
  );
  const placed = await mergeImages([{ image: sub, opaque: true }], [2, 1], {
    transparent: false,
    bgcolor: [1, 2, 3],
  });
  assert.deepEqual(await pixels(placed), [
    [1, 2, 3, 255],
    [9, 9, 9, 255],
  ]);
});
