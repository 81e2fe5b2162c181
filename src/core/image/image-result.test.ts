import assert from 'node:assert/strict';
import test from 'node:test';
import sharp from 'sharp';
import {
  encodeReleasing,
  imageFromBytes,
  imageFromRaw,
  loadImage,
  resolveImageOptions,
  singleColor,
  type ImageFormatOptions,
} from './index.js';

const PNG = resolveImageOptions({ format: 'image/png' });

function opts(overrides: Partial<ImageFormatOptions>): ImageFormatOptions {
  return { ...PNG, ...overrides };
}

async function solid(
  format: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff',
  width = 5,
  height = 3,
): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 1 } } })
    .toFormat(format)
    .toBuffer();
}

test('a cached tile served in its own format is the identical Buffer (no decode, no re-encode)', async () => {
  const png = await solid('png');
  const image = imageFromBytes(png, 'image/png');
  for (const format of ['image/png', 'image/png; mode=8bit', 'png', 'mixed']) {
    const encoded = await image.encode(opts({ format }));
    assert.equal(encoded.data, png, format);
    assert.equal(encoded.format, 'image/png');
  }
  const jpeg = await solid('jpeg');
  assert.equal((await imageFromBytes(jpeg).encode(opts({ format: 'mixed' }))).data, jpeg);
  assert.equal((await imageFromBytes(jpeg).encode(opts({ format: 'image/jpeg' }))).data, jpeg);
});

test('a tile in another format is re-encoded', async () => {
  const png = await solid('png');
  const encoded = await imageFromBytes(png).encode(opts({ format: 'image/jpeg' }));
  assert.equal(encoded.format, 'image/jpeg');
  assert.equal((await sharp(encoded.data).metadata()).format, 'jpeg');
});

test('the format and size come from the bytes for png, jpeg, webp, gif and tiff', async () => {
  for (const [format, mime] of [
    ['png', 'image/png'],
    ['jpeg', 'image/jpeg'],
    ['webp', 'image/webp'],
    ['gif', 'image/gif'],
    ['tiff', 'image/tiff'],
  ] as const) {
    const image = imageFromBytes(await solid(format, 7, 4));
    assert.equal(image.format, mime);
    assert.deepEqual(image.size, [7, 4], format);
    const raw = await image.raw();
    assert.deepEqual(raw.size, [7, 4]);
    assert.equal(raw.data.length, 7 * 4 * 4);
  }
});

test('bytes that are not an image are refused with IMAGE_DECODE', async () => {
  assert.throws(() => imageFromBytes(Buffer.from('<ServiceExceptionReport/>'), 'image/png'), {
    code: 'IMAGE_DECODE',
  });
  assert.throws(() => imageFromBytes(Buffer.alloc(0)), { code: 'IMAGE_DECODE' });
  const png = await solid('png', 64, 64);
  const truncated = png.subarray(0, 40);
  await assert.rejects(imageFromBytes(truncated).raw(), { code: 'IMAGE_DECODE' });
  await assert.rejects(loadImage(truncated), { code: 'IMAGE_DECODE' });
});

test('imageFromRaw refuses a buffer that does not match its size', () => {
  assert.throws(() => imageFromRaw({ data: Buffer.alloc(15), size: [2, 2] }), { code: 'IMAGE_INVALID' });
  assert.throws(() => imageFromRaw({ data: Buffer.alloc(0), size: [0, 0] }), { code: 'IMAGE_INVALID' });
});

test('singleColor finds one RGBA value and nothing when there are two', async () => {
  const one = imageFromRaw({ data: Buffer.from([1, 2, 3, 4, 1, 2, 3, 4]), size: [2, 1] });
  assert.deepEqual(await singleColor(one), [1, 2, 3, 4]);
  // same RGB, different alpha: two colours for MapProxy's getcolors on RGBA
  const two = imageFromRaw({ data: Buffer.from([1, 2, 3, 4, 1, 2, 3, 5]), size: [2, 1] });
  assert.equal(await singleColor(two), null);
  assert.deepEqual(await singleColor(imageFromBytes(await solid('png'))), [10, 20, 30, 255]);
});

/** A `size` x `size` RGBA image of varying colours, alpha 255. */
function pixels(size: number): Buffer {
  const data = Buffer.alloc(size * size * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 255 : (i * 7919) % 251;
  return data;
}

test('a last encode moves the pixels an image owns to the encoder thread, with the same bytes', async () => {
  // 8-bit PNG of more than 64x64 pixels: quantised on a palette thread
  const eightBit = opts({ format: 'image/png; mode=8bit', colors: 256 });
  const expected = await imageFromRaw({ data: pixels(100), size: [100, 100] }).encode(eightBit);
  const data = pixels(100);
  const owned = imageFromRaw({ data, size: [100, 100] }, { owned: true });
  const encoded = await encodeReleasing(owned, eightBit);
  assert.ok(encoded.data.equals(expected.data), 'the same PNG');
  assert.equal(data.buffer.byteLength, 0, 'the pixel buffer was moved, not copied');
  await assert.rejects(owned.raw(), { code: 'IMAGE_INVALID' });
  await assert.rejects(owned.encode(eightBit), { code: 'IMAGE_INVALID' });
});

test('a last encode of pixels the image does not own leaves them where they are', async () => {
  const eightBit = opts({ format: 'image/png; mode=8bit', colors: 256 });
  const data = pixels(100);
  const image = imageFromRaw({ data, size: [100, 100] });
  const encoded = await encodeReleasing(image, eightBit);
  assert.ok(encoded.data.equals((await image.encode(eightBit)).data), 'the same PNG, encoded again');
  assert.equal(data.length, 100 * 100 * 4, 'the pixels stay');
  assert.equal((await image.raw()).data, data);
});
