/**
 * Stitching stored tiles on the resampling thread: 8-bit paletted tiles are expanded by the
 * WebAssembly kernel into its canvas and must come out as sharp decodes them, byte for byte.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { encodePalettePng } from './palette-png.js';
import { pngChunk } from './png-indexed.js';
import { kernelCanvas } from './resample-wasm.js';
import { stitchPngs, type PngMosaic } from './stitch-pngs.js';

/** Noisy RGBA with transparent and translucent pixels, from `seed`. */
function noise(width: number, height: number, seed: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
  for (let i = 0; i < data.length; i += 4) {
    data.set([next(), next() & 0xf0, (i >> 4) & 255, i % 44 === 0 ? 0 : i % 20 === 0 ? 100 : 255], i);
  }
  return data;
}

/**
 * A hand-written 8-bit paletted PNG whose indices run past its `entries`-entry palette and whose
 * tRNS covers only the first `alphas` entries (libpng: black, opaque past the palette).
 */
function shortPalettePng(width: number, height: number, entries: number, alphas: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 3, 0, 0, 0], 8);
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) rows[y * (width + 1) + 1 + x] = (x * 37 + y * 11) & 255;
  const palette = Uint8Array.from({ length: entries * 3 }, (_, i) => (i * 29 + 7) & 255);
  const alpha = Uint8Array.from({ length: alphas }, (_, i) => (i * 50) & 255);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('PLTE', palette),
    pngChunk('tRNS', alpha),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** Asserts that the stitched canvas of `mosaic` holds each tile as sharp decodes it (blank: zeros). */
async function assertStitchedAsSharp(mosaic: PngMosaic, label: string): Promise<void> {
  const { columns, rows, tileWidth, tileHeight } = mosaic;
  const stitched = stitchPngs(mosaic);
  assert.ok(stitched !== null, `${label}: stitched`);
  // copied: the canvas lives in kernel memory, which the awaits below must not see change
  const canvas = Buffer.from(stitched.canvas);
  const rowStride = columns * tileWidth * 4;
  for (let i = 0; i < columns * rows; i++) {
    const tile = mosaic.tiles[i] ?? null;
    const expected =
      tile === null
        ? Buffer.alloc(tileWidth * tileHeight * 4)
        : await sharp(tile).ensureAlpha().raw().toBuffer();
    const at = (Math.floor(i / columns) * tileHeight * columns * tileWidth + (i % columns) * tileWidth) * 4;
    for (let y = 0; y < tileHeight; y++) {
      const row = canvas.subarray(at + y * rowStride, at + y * rowStride + tileWidth * 4);
      const want = expected.subarray(y * tileWidth * 4, (y + 1) * tileWidth * 4);
      assert.ok(row.equals(want), `${label}: tile ${i} row ${y} as sharp decodes it`);
    }
  }
}

test('the kernel expands palette rows as a table lookup at any width, offset and stride', () => {
  const sizes = [
    [1, 1],
    [3, 2],
    [5, 3],
    [8, 4],
    [13, 7],
    [16, 2],
    [37, 3],
    [60, 5],
  ] as const;
  // indices changing at every pixel, and in runs of 19 (a map's flat areas: sixteen equal
  // indices at a time, and runs that end inside a group of sixteen)
  const patterns = [(i: number) => (i * 91 + 5) & 255, (i: number) => (Math.floor(i / 19) * 91 + 5) & 255];
  for (const [[width, height], index] of sizes.flatMap((size) => patterns.map((p) => [size, p] as const))) {
    const rowStride = width + 3;
    const canvas = kernelCanvas(64 * 16 * 4, 1024 + rowStride * height);
    assert.ok(canvas !== null, 'WebAssembly SIMD runs here');
    canvas.pixels.fill(0xee);
    const rows = Uint8Array.from({ length: rowStride * height }, (_, i) => index(i));
    const lut = Uint32Array.from({ length: 256 }, (_, i) => (i * 0x9e3779b1) >>> 0);
    const [at, outStride] = [(64 * 2 + 3) * 4, 64 * 4];
    assert.equal(canvas.expandPalette(rows, rowStride, lut, at, outStride, width, height), true);
    const words = new Uint32Array(canvas.pixels.buffer, 0, canvas.pixels.length / 4);
    for (let y = 0; y < height; y++) {
      for (let x = -1; x <= width; x++) {
        const got = words[(at + y * outStride) / 4 + x];
        const want = x < 0 || x === width ? 0xeeeeeeee : lut[rows[y * rowStride + x] ?? 0];
        assert.equal(got, want, `${width}x${height} at ${x},${y}`);
      }
    }
  }
});

test('the kernel refuses rows larger than its scratch or reaching past the canvas', () => {
  const canvas = kernelCanvas(1024, 1024 + 10);
  assert.ok(canvas !== null);
  const lut = new Uint32Array(256);
  assert.equal(canvas.expandPalette(new Uint8Array(40), 5, lut, 0, 16, 4, 8), false, 'scratch');
  assert.equal(canvas.expandPalette(new Uint8Array(10), 5, lut, 1024 - 8, 16, 4, 2), false, 'canvas');
  assert.equal(canvas.expandPalette(new Uint8Array(10), 5, lut, 1024 - 32, 16, 4, 2), true, 'fits');
});

test('stitched paletted tiles (8-bit, short palettes, 1-4 bit, blanks) are the pixels sharp decodes', async () => {
  const [w, h] = [29, 13];
  const raw = { raw: { width: w, height: h, channels: 4 as const } };
  const tiles: (Uint8Array | null)[] = [
    encodePalettePng({ data: noise(w, h, 1), width: w, height: h, colors: 256, withAlpha: true }),
    encodePalettePng({ data: noise(w, h, 2), width: w, height: h, colors: 256, withAlpha: false }),
    shortPalettePng(w, h, 40, 7),
    null,
    await sharp(noise(w, h, 3), raw)
      .png({ palette: true, colours: 4, dither: 0 })
      .toBuffer(),
    await sharp(noise(w, h, 4), raw)
      .png({ palette: true, colours: 16, dither: 0 })
      .toBuffer(),
    await sharp(noise(w, h, 5), raw)
      .png({ palette: true, colours: 200, dither: 0 })
      .toBuffer(),
    await sharp(noise(w, h, 6), raw)
      .png()
      .toBuffer(),
    shortPalettePng(w, h, 256, 0),
  ];
  await assertStitchedAsSharp({ tiles, columns: 3, rows: 3, tileWidth: w, tileHeight: h }, '3x3');
  await assertStitchedAsSharp(
    { tiles: tiles.slice(0, 4), columns: 4, rows: 1, tileWidth: w, tileHeight: h },
    '4x1',
  );
});

test('with the needed pixels given, those are the pixels stitched anyway, a paletted tile writes no others, and a corrupt tile outside them still fails the stitch', () => {
  const [w, h] = [29, 13];
  const tiles: (Uint8Array | null)[] = [
    encodePalettePng({ data: noise(w, h, 7), width: w, height: h, colors: 256, withAlpha: true }),
    shortPalettePng(w, h, 40, 7),
    null,
    encodePalettePng({ data: noise(w, h, 8), width: w, height: h, colors: 256, withAlpha: false }),
  ];
  const mosaic = { tiles, columns: 2, rows: 2, tileWidth: w, tileHeight: h };
  const whole = stitchPngs(mosaic);
  assert.ok(whole !== null);
  const want = new Uint32Array(Buffer.from(whole.canvas).buffer);
  whole.canvas.fill(0xee);
  const [x0, y0, x1, y1] = [5, 3, 40, 20];
  const part = stitchPngs(mosaic, [x0, y0, x1, y1]);
  assert.ok(part !== null);
  assert.equal(part.opaque, whole.opaque);
  const got = new Uint32Array(Buffer.from(part.canvas).buffer);
  for (let y = 0; y < 2 * h; y++)
    for (let x = 0; x < 2 * w; x++) {
      const inside = x >= x0 && x < x1 && y >= y0 && y < y1;
      const expected = inside ? want[y * 2 * w + x] : 0xeeeeeeee;
      assert.equal(got[y * 2 * w + x], expected, `pixel ${x},${y} (${inside ? 'needed' : 'not needed'})`);
    }
  // a tile whose zlib stream is broken, wholly outside the needed pixels
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header.set([8, 3, 0, 0, 0], 8);
  const corrupt = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('PLTE', new Uint8Array(12)),
    pngChunk('IDAT', Uint8Array.of(0x78, 0x9c, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0)),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
  assert.equal(
    stitchPngs(
      { ...mosaic, tiles: [tiles[0] ?? null, tiles[1] ?? null, tiles[2] ?? null, corrupt] },
      [0, 0, 10, 10],
    ),
    null,
  );
});
