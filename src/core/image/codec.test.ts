import assert from 'node:assert/strict';
import test from 'node:test';
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import {
  imageFromBytes,
  imageFromRaw,
  resolveImageOptions,
  type ImageFormatOptions,
  type ImageResult,
} from './index.js';

const PNG8 = resolveImageOptions({ format: 'image/png', image: { transparent: true } });

function opts(overrides: Partial<ImageFormatOptions>): ImageFormatOptions {
  return { ...PNG8, ...overrides };
}

/** 16x16: left half semi-transparent pink, right half transparent green (RGB kept under alpha 0). */
function halfTransparent(): ImageResult {
  const data = Buffer.alloc(16 * 16 * 4);
  for (let y = 0; y < 16; y += 1) {
    for (let x = 0; x < 16; x += 1) data.set(x < 8 ? [200, 40, 90, 128] : [10, 200, 30, 0], (y * 16 + x) * 4);
  }
  return imageFromRaw({ data, size: [16, 16] });
}

/** Deterministic noise, so JPEG sizes depend on quality. */
function noise(size: number): ImageResult {
  const data = Buffer.alloc(size * size * 4);
  let seed = 42;
  for (let i = 0; i < data.length; i += 1) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    data[i] = i % 4 === 3 ? 255 : seed >>> 24;
  }
  return imageFromRaw({ data, size: [size, size] });
}

/** PNG IHDR colour type: 2 RGB, 3 palette, 6 RGBA. */
function pngColorType(png: Buffer): number | undefined {
  return png[25];
}

async function pixelOf(data: Buffer, x: number, y: number): Promise<number[]> {
  const { data: raw, info } = await sharp(data).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * 4;
  return [...raw.subarray(at, at + 4)];
}

test('png with colors is paletted (IHDR colour type 3) and keeps transparency', async () => {
  const { data, format } = await halfTransparent().encode(PNG8);
  assert.equal(format, 'image/png');
  assert.equal(pngColorType(data), 3);
  assert.ok(data.includes(Buffer.from('tRNS')), 'has a tRNS chunk');
  assert.deepEqual((await pixelOf(data, 2, 2))[3], 128);
  assert.deepEqual((await pixelOf(data, 12, 2))[3], 0);
});

test('png without colors is truecolour: RGBA when transparent or translucent, RGB otherwise', async () => {
  const rgba = await halfTransparent().encode(opts({ colors: 0 }));
  assert.equal(pngColorType(rgba.data), 6);
  assert.deepEqual(await pixelOf(rgba.data, 2, 2), [200, 40, 90, 128]);
  // MapProxy's img_to_buf saves an unquantised png in the image's own mode, whatever `transparent`
  // says: an RGBA image keeps its alpha (an opaque cache's `rgba` band merge)
  const translucent = await halfTransparent().encode(opts({ colors: 0, transparent: false }));
  assert.equal(pngColorType(translucent.data), 6);
  assert.deepEqual(await pixelOf(translucent.data, 12, 2), [10, 200, 30, 0]);
  const rgb = await noise(16).encode(opts({ colors: 0, transparent: false }));
  assert.equal(pngColorType(rgb.data), 2);
});

/** The filter type byte of each row of a non-interlaced 8-bit PNG with `channels` samples a pixel. */
function rowFilters(png: Buffer, channels: number): number[] {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += length + 12;
  }
  const rows = inflateSync(Buffer.concat(idat));
  const stride = width * channels + 1;
  return Array.from({ length: height }, (_, y) => rows[y * stride] ?? -1);
}

test('truecolour png filters its rows, as PIL does', async () => {
  // a gradient: row filters (Sub, Up, Paeth) turn it into runs of small differences
  const data = Buffer.alloc(64 * 64 * 4);
  for (let y = 0; y < 64; y += 1) {
    for (let x = 0; x < 64; x += 1) data.set([x * 4, y * 4, (x + y) * 2, 255], (y * 64 + x) * 4);
  }
  const { data: png } = await imageFromRaw({ data, size: [64, 64] }).encode(
    opts({ colors: 0, transparent: false }),
  );
  assert.equal(pngColorType(png), 2);
  const filters = rowFilters(png, 3);
  assert.ok(
    filters.some((filter) => filter !== 0),
    `rows filtered (filter types ${[...new Set(filters)].join(',')})`,
  );
});

test('jpeg quality changes the size', async () => {
  const image = noise(64);
  const low = await image.encode(opts({ format: 'image/jpeg', jpegQuality: 30 }));
  const high = await image.encode(opts({ format: 'image/jpeg', jpegQuality: 95 }));
  assert.equal(low.format, 'image/jpeg');
  assert.ok(low.data.length < high.data.length * 0.7, `${low.data.length} vs ${high.data.length}`);
});

test('jpeg drops alpha without compositing, like MapProxy img_to_buf (PIL convert RGB)', async () => {
  const { data, format } = await halfTransparent().encode(opts({ format: 'image/jpeg' }));
  assert.equal(format, 'image/jpeg');
  // MapProxy 1.15 img_to_buf(..., format image/jpeg) on the same image decodes (PIL) to
  // (199, 41, 92) at (2, 2) and (10, 200, 28) at (13, 13); not white, not black
  const expected = [
    [2, 2, [199, 41, 92]],
    [13, 13, [10, 200, 28]],
  ] as const;
  for (const [x, y, rgb] of expected) {
    const actual = await pixelOf(data, x, y);
    rgb.forEach((value, i) => {
      assert.ok(
        Math.abs((actual[i] ?? -99) - value) <= 3,
        `${x},${y}: ${actual.join(',')} vs ${rgb.join(',')}`,
      );
    });
  }
});

test('mixed picks png for an image with any transparency and jpeg for an opaque one', async () => {
  const mixed = opts({ format: 'mixed', colors: 0 });
  const transparent = await halfTransparent().encode(mixed);
  assert.equal(transparent.format, 'image/png');
  assert.equal(pngColorType(transparent.data), 6);
  const opaque = await noise(8).encode(mixed);
  assert.equal(opaque.format, 'image/jpeg');
  assert.equal((await sharp(opaque.data).metadata()).format, 'jpeg');
});

test('webp, gif and tiff encode to their formats', async () => {
  for (const [format, name] of [
    ['image/webp', 'webp'],
    ['image/gif', 'gif'],
    ['image/tiff', 'tiff'],
    ['image/GeoTIFF', 'tiff'],
  ] as const) {
    const encoded = await halfTransparent().encode(opts({ format }));
    const meta = await sharp(encoded.data).metadata();
    assert.equal(meta.format, name, format);
    assert.equal(encoded.format, `image/${name}`);
    assert.deepEqual([meta.width, meta.height], [16, 16]);
    // the header parser reads these encoders' variants too (webp with alpha is VP8X/VP8L)
    const reread = imageFromBytes(encoded.data);
    assert.deepEqual([reread.format, reread.size], [`image/${name}`, [16, 16]]);
  }
});

test('an unknown output format is refused with IMAGE_FORMAT', async () => {
  await assert.rejects(halfTransparent().encode(opts({ format: 'image/svg+xml' })), { code: 'IMAGE_FORMAT' });
});
