/**
 * A meta tile split and encoded on a palette thread gives the very bytes and pixels of splitting on
 * the event loop and encoding each tile; the event loop does not decode the upstream's PNG.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import sharp, { type PngOptions } from 'sharp';
import { undecodedPng } from './image-result.js';
import { metaTileBuffers } from './meta-tiles.js';
import {
  closePaletteWorkers,
  imageFromBytes,
  imageFromRaw,
  splitAndEncodePalettePng,
  splitImage,
  type ImageFormatOptions,
  type ImageResult,
} from './index.js';

test.after(() => closePaletteWorkers());

const PNG8: ImageFormatOptions = {
  format: 'image/png',
  mode: 'P',
  colors: 256,
  transparent: true,
  resampling: 'bicubic',
  jpegQuality: 90,
  quantizer: null,
};

const SIZE = [300, 200] as const;
const TILE = [128, 128] as const;
/** Inside, across the right and bottom edges, and above and left of the image. */
const OFFSETS = [
  [10, 20],
  [200, 100],
  [-60, -30],
  [172, 0],
] as const;

/** Pixels with many colours and some translucency, so quantising and alpha both matter. */
function metaPixels(): Buffer {
  const [width, height] = SIZE;
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const noise = (x * 7919 + y * 104729) % 23;
      data.set(
        [(x * 255) / width + noise, (y * 255) / height, (x ^ y) & 255, x < 40 ? 128 : 255],
        (y * width + x) * 4,
      );
    }
  }
  return data;
}

async function metaPng(options: PngOptions = {}): Promise<ImageResult> {
  const png = await sharp(metaPixels(), { raw: { width: SIZE[0], height: SIZE[1], channels: 4 } })
    .png(options)
    .toBuffer();
  return imageFromBytes(png);
}

/** What splitting on the event loop and encoding each tile gives. */
async function expected(
  options: ImageFormatOptions,
  transparent: boolean,
): Promise<{ pngs: Buffer[]; pixels: Buffer[] }> {
  const tiles = await splitImage(imageFromRaw({ data: metaPixels(), size: SIZE }), TILE, OFFSETS, {
    transparent,
  });
  return {
    pngs: await Promise.all(tiles.map(async (tile) => (await tile.encode(options)).data)),
    pixels: await Promise.all(tiles.map(async (tile) => (await tile.raw()).data)),
  };
}

for (const [name, options] of [
  ['transparent fastoctree', PNG8],
  ['opaque fastoctree', { ...PNG8, transparent: false }],
  ['transparent mediancut, 64 colours', { ...PNG8, quantizer: 'mediancut', colors: 64 }],
] as const) {
  test(`${name}: the same PNG bytes and tile pixels as split, then encode`, async () => {
    const want = await expected(options, options.transparent);
    for (const keepPixels of [true, false]) {
      const image = await metaPng();
      const result = await splitAndEncodePalettePng(
        image,
        TILE,
        OFFSETS,
        { transparent: options.transparent },
        options,
        {
          keepPixels,
        },
      );
      assert.ok(result);
      assert.equal(result.tiles.length, OFFSETS.length);
      for (const [i, tile] of result.tiles.entries()) {
        assert.equal(tile.encoded.format, 'image/png');
        assert.ok(
          tile.encoded.data.equals(want.pngs[i] as Buffer),
          `tile ${i} PNG, keepPixels ${keepPixels}`,
        );
        assert.deepEqual(tile.image.size, TILE);
        assert.ok((await tile.image.raw()).data.equals(want.pixels[i] as Buffer), `tile ${i} pixels`);
      }
    }
  });
}

test('the palette thread decodes the PNG: the meta image stays undecoded on the event loop', async () => {
  const image = await metaPng();
  const result = await splitAndEncodePalettePng(image, TILE, OFFSETS, {}, PNG8, { keepPixels: true });
  assert.ok(result);
  assert.notEqual(undecodedPng(image), null);
  // the pixels came back from the thread: a tile's pixels need no decode here either
  await result.tiles[0]?.image.raw();
  assert.notEqual(undecodedPng(image), null);
});

test('a PNG the thread leaves to sharp (interlaced) and raw pixels give the same tiles', async () => {
  const want = await expected(PNG8, true);
  for (const image of [
    await metaPng({ progressive: true }),
    imageFromRaw({ data: metaPixels(), size: SIZE }),
  ]) {
    const result = await splitAndEncodePalettePng(image, TILE, OFFSETS, {}, PNG8, { keepPixels: false });
    assert.ok(result);
    for (const [i, tile] of result.tiles.entries()) {
      assert.ok(tile.encoded.data.equals(want.pngs[i] as Buffer), `tile ${i}`);
      assert.ok((await tile.image.raw()).data.equals(want.pixels[i] as Buffer), `tile ${i} pixels`);
    }
  }
});

test('anything but an 8-bit PNG is left to the caller', async () => {
  for (const options of [
    { ...PNG8, mode: null, colors: 0 },
    { ...PNG8, format: 'image/jpeg' },
    { ...PNG8, format: 'mixed' },
    { ...PNG8, format: 'image/gif' },
  ] satisfies ImageFormatOptions[]) {
    assert.equal(
      await splitAndEncodePalettePng(await metaPng(), TILE, OFFSETS, {}, options, { keepPixels: true }),
      null,
    );
  }
});

test('a corrupt meta image rejects with IMAGE_DECODE', async () => {
  const png = await metaPng();
  const bytes = undecodedPng(png) as Buffer;
  const broken = Buffer.from(bytes);
  broken.fill(0x55, 60, 400); // inside the IDAT stream
  await assert.rejects(
    splitAndEncodePalettePng(imageFromBytes(broken), TILE, OFFSETS, {}, PNG8, { keepPixels: false }),
    { code: 'IMAGE_DECODE' },
  );
});

test('a meta tile task gives its buffers back and the next one reuses them, leaving earlier tiles intact', async () => {
  const tilePngs = async (image: ImageResult): Promise<Buffer[]> => {
    const result = await splitAndEncodePalettePng(image, TILE, OFFSETS, {}, PNG8, { keepPixels: false });
    assert.ok(result);
    return result.tiles.map((tile) => tile.encoded.data);
  };
  const inverted = Buffer.from(metaPixels().map((value) => 255 - value));
  const other = imageFromBytes(
    await sharp(inverted, { raw: { width: SIZE[0], height: SIZE[1], channels: 4 } })
      .png()
      .toBuffer(),
  );
  const first = (await tilePngs(await metaPng())).map((png) => Buffer.from(png));
  // the PNG's copy and the PNGs' buffer came back from the thread
  assert.ok(metaTileBuffers.size >= 2, `pooled ${String(metaTileBuffers.size)}`);
  const again = await tilePngs(await metaPng());
  const allocated = metaTileBuffers.allocated;
  assert.notDeepEqual(await tilePngs(other), first);
  assert.equal(metaTileBuffers.allocated, allocated, 'the third task allocated no pool buffer');
  assert.ok(metaTileBuffers.size <= 4);
  // the tiles of an earlier task are copies: the reused buffers did not change them
  assert.deepEqual(again, first);
});

test('lent PNGs are views of one pooled buffer that the next meta tile reuses once released', async () => {
  const want = await expected(PNG8, true);
  const lend = async (): Promise<Buffer[]> => {
    const result = await splitAndEncodePalettePng(await metaPng(), TILE, OFFSETS, {}, PNG8, {
      keepPixels: false,
      lendBytes: true,
    });
    assert.ok(result?.release, 'a release for the lent buffer');
    const pngs = result.tiles.map((tile) => tile.encoded.data);
    assert.ok(
      pngs.every((png) => png.buffer === pngs[0]?.buffer),
      'one buffer',
    );
    for (const [i, png] of pngs.entries()) assert.ok(png.equals(want.pngs[i] as Buffer), `tile ${i}`);
    result.release();
    return pngs;
  };
  const first = await lend();
  const allocated = metaTileBuffers.allocated;
  await lend();
  assert.equal(metaTileBuffers.allocated, allocated, 'the second task allocated no pool buffer');
  // the released buffer went to the thread with the next task: the first views are void now
  assert.equal(first[0]?.buffer.byteLength, 0);
});
