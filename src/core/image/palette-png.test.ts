/**
 * The paletted PNG path (quantiser, PNG writer, worker pool): exact for few colours, close to the
 * source on a full gradient and on a map-like image, alpha kept or dropped as asked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { closePaletteWorkers, encodePalettePngAsync } from './palette-pool.js';
import { quantize } from './quantize.js';

test.after(() => closePaletteWorkers());

/** 256x256, red along x, green along y: 65536 distinct colours (the bench upstream's image). */
function gradient(alpha = 255): Uint8Array {
  const data = new Uint8Array(256 * 256 * 4);
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++) data.set([x, y, 160, alpha], (y * 256 + x) * 4);
  }
  return data;
}

/** Flat areas with soft (antialiased) borders and a road, like a rendered map tile. */
function mapLike(): Uint8Array {
  const size = 256;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // land/water border blended over 4 pixels, a grey road band blended over 2
      const water = Math.min(1, Math.max(0, (x + y / 2 - 150) / 4));
      const road = Math.min(1, Math.max(0, 1 - Math.abs(y - x / 3 - 60) / 2));
      const base = [242 + (170 - 242) * water, 239 + (211 - 239) * water, 233 + (223 - 233) * water];
      const rgb = base.map((v, i) => Math.round(v + ((i === 2 ? 156 : 160) - v) * road));
      data.set([...rgb, 255], (y * size + x) * 4);
    }
  }
  return data;
}

async function decode(png: Buffer): Promise<{ data: Buffer; colorType: number | undefined }> {
  const data = await sharp(png).ensureAlpha().raw().toBuffer();
  return { data, colorType: png[25] };
}

/** Mean and max absolute difference over the colour channels (alpha too when `withAlpha`). */
function difference(a: Uint8Array, b: Uint8Array, withAlpha: boolean): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (i % 4 === 3 && !withAlpha) continue;
    const d = Math.abs((a[i] as number) - (b[i] as number));
    sum += d;
    max = Math.max(max, d);
    n++;
  }
  return { mean: sum / n, max };
}

test('an image with no more colours than the palette is encoded exactly, alpha included', async () => {
  const data = new Uint8Array(100 * 100 * 4);
  const colors = [
    [200, 40, 90, 128],
    [10, 200, 30, 0],
    [255, 255, 255, 255],
  ];
  for (let i = 0; i < 100 * 100; i++) data.set(colors[(i * 7) % 3] as number[], i * 4);
  const png = await encodePalettePngAsync({ data, width: 100, height: 100, colors: 256, withAlpha: true });
  const decoded = await decode(png);
  assert.equal(decoded.colorType, 3);
  assert.ok(png.includes(Buffer.from('tRNS')));
  assert.deepEqual(difference(decoded.data, data, true), { mean: 0, max: 0 });
});

test('without alpha every entry is opaque and the colour under alpha 0 shows (PIL convert RGB)', async () => {
  const data = new Uint8Array(80 * 80 * 4);
  for (let i = 0; i < 80 * 80; i++) data.set(i % 2 === 0 ? [10, 200, 30, 0] : [1, 2, 3, 255], i * 4);
  const png = await encodePalettePngAsync({ data, width: 80, height: 80, colors: 256, withAlpha: false });
  assert.ok(!png.includes(Buffer.from('tRNS')));
  const { data: pixels } = await decode(png);
  assert.deepEqual([...pixels.subarray(0, 8)], [10, 200, 30, 255, 1, 2, 3, 255]);
});

test('a 65536-colour gradient keeps within 8 levels of the source, 2.7 on average', async () => {
  const data = gradient();
  const png = await encodePalettePngAsync({ data, width: 256, height: 256, colors: 256, withAlpha: false });
  const { data: pixels, colorType } = await decode(png);
  assert.equal(colorType, 3);
  // PIL FASTOCTREE (MapProxy's default) on the same tile: mean 2.67, max 8
  const { mean, max } = difference(pixels, data, false);
  assert.ok(mean < 2.8 && max <= 8, `mean ${mean} max ${max}`);
});

test('a map-like tile with antialiased borders stays within 0.2 levels on average', async () => {
  const data = mapLike();
  const { palette } = quantize(data, 256, false);
  const png = await encodePalettePngAsync({ data, width: 256, height: 256, colors: 256, withAlpha: false });
  const { mean, max } = difference((await decode(png)).data, data, false);
  assert.ok(palette.length / 4 <= 256);
  assert.ok(mean < 0.2 && max <= 12, `mean ${mean} max ${max}`);
});

test('the palette never exceeds `colors` entries and translucent gradients keep their alpha', () => {
  for (const colors of [2, 16, 256]) {
    const { palette, indices } = quantize(gradient(128), colors, true);
    assert.ok(palette.length / 4 <= colors, `${colors}: ${palette.length / 4}`);
    assert.ok(indices.every((i) => i < palette.length / 4));
    for (let i = 3; i < palette.length; i += 4) assert.equal(palette[i], 128);
  }
});

test('pixels in a Buffer view of a larger buffer are encoded from a copy: the larger buffer stays whole', async () => {
  const whole = Buffer.alloc(100 * 100 * 4 + 64, 7);
  const view = whole.subarray(32, 32 + 100 * 100 * 4);
  const png = await encodePalettePngAsync({ data: view, width: 100, height: 100, colors: 256, withAlpha: false });
  assert.equal(whole.buffer.byteLength > 0 && whole.length, 100 * 100 * 4 + 64, 'not moved away');
  assert.ok(whole.every((byte) => byte === 7));
  const { data: pixels } = await decode(png);
  assert.deepEqual([...pixels.subarray(0, 4)], [7, 7, 7, 255]);
});
