/**
 * The JS PNG decoder gives sharp's RGBA for every PNG kind a cache holds, and hands the rest
 * (16 bit, interlaced, ICC) back to sharp.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { decodeToRaw } from './codec.js';
import { encodePalettePng } from './palette-png.js';
import { decodePngRgba, isOpaquePng } from './png-decode.js';
import { pngChunk } from './png-indexed.js';

/** A noisy RGBA image with a few transparent and translucent pixels. */
function source(width: number, height: number, levels: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  let state = 11;
  const next = () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 24) % levels;
  for (let i = 0; i < data.length; i += 4) {
    data[i] = next() * Math.floor(255 / levels);
    data[i + 1] = (i >> 6) & 255;
    data[i + 2] = next() * 40;
    data[i + 3] = i % 28 === 0 ? 0 : i % 36 === 0 ? 128 : 255;
  }
  return data;
}

/**
 * A hand-written PNG: `colorType` 0 or 2 with a tRNS key colour, unfiltered rows, and `extraBytes`
 * zeros inflated after the rows.
 */
function keyedPng(colorType: 0 | 2, width: number, height: number, trns: number[], extraBytes = 0): Buffer {
  const channels = colorType === 0 ? 1 : 3;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, colorType, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * channels + 1) * height + extraBytes);
  for (let y = 0; y < height; y++)
    for (let i = 0; i < width * channels; i++)
      rows[y * (width * channels + 1) + 1 + i] = (i * 13 + y * 7) % 6 === 0 ? 60 : (i + y) & 255;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('tRNS', Uint8Array.from(trns)),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

test('decodes every PNG kind a cache stores to the RGBA sharp decodes', async () => {
  const [w, h] = [67, 45];
  const rgba = source(w, h, 7);
  const raw = { raw: { width: w, height: h, channels: 4 as const } };
  const pngs: Record<string, Buffer> = {
    rgba: await sharp(rgba, raw).png({ adaptiveFiltering: true }).toBuffer(),
    rgb: await sharp(rgba, raw).removeAlpha().png({ adaptiveFiltering: true }).toBuffer(),
    gray: await sharp(rgba, raw).removeAlpha().toColourspace('b-w').png().toBuffer(),
    grayAlpha: await sharp(rgba, raw).toColourspace('b-w').png().toBuffer(),
    palette2: await sharp(rgba, raw).png({ palette: true, colours: 2, dither: 0 }).toBuffer(),
    palette4: await sharp(rgba, raw).png({ palette: true, colours: 4, dither: 0 }).toBuffer(),
    palette16: await sharp(rgba, raw).png({ palette: true, colours: 16, dither: 0 }).toBuffer(),
    palette256: await sharp(rgba, raw).png({ palette: true, colours: 256, dither: 0 }).toBuffer(),
    ours: encodePalettePng({ data: rgba, width: w, height: h, colors: 256, withAlpha: true }),
    grayKey: keyedPng(0, w, h, [0, 60]),
    rgbKey: keyedPng(2, w, h, [0, 60, 0, 60, 0, 60]),
  };
  for (const [name, png] of Object.entries(pngs)) {
    const mine = decodePngRgba(png);
    assert.ok(mine !== null, `${name}: handled`);
    const theirs = await decodeToRaw(png);
    assert.deepEqual([mine.width, mine.height], theirs.size, name);
    assert.ok(Buffer.from(mine.pixels).equals(theirs.data), `${name}: same pixels as sharp`);
  }
});

test('writes into a larger canvas at an offset and row stride', async () => {
  const png = await sharp(source(5, 3, 3), { raw: { width: 5, height: 3, channels: 4 } })
    .png()
    .toBuffer();
  const out = new Uint8Array(8 * 4 * 4);
  decodePngRgba(png, { out, offset: (8 + 2) * 4, rowStride: 8 * 4 });
  const alone = decodePngRgba(png);
  assert.ok(alone !== null);
  assert.deepEqual(out.subarray((8 + 2) * 4, (8 + 7) * 4), alone.pixels.subarray(0, 20));
  assert.deepEqual(out.subarray(0, 40), new Uint8Array(40), 'first row and left margin untouched');
});

test('decodes a zlib stream that inflates to more than its rows, as if it ended there', () => {
  // the inflate's output buffer is sized for the rows: the extra takes further chunks
  for (const [w, h, extra] of [
    [300, 200, 70_000],
    [2, 2, 100],
  ] as const) {
    const exact = decodePngRgba(keyedPng(2, w, h, [0, 60, 0, 60, 0, 60]));
    const longer = decodePngRgba(keyedPng(2, w, h, [0, 60, 0, 60, 0, 60], extra));
    assert.ok(exact !== null && longer !== null);
    assert.ok(Buffer.from(longer.pixels).equals(exact.pixels), `${w}x${h}`);
  }
});

test('leaves 16-bit, interlaced and non-PNG data to sharp', async () => {
  const rgba = source(9, 9, 5);
  const raw = { raw: { width: 9, height: 9, channels: 4 as const } };
  assert.equal(
    decodePngRgba(await sharp(rgba, raw).png({ progressive: true }).toBuffer()),
    null,
    'interlaced',
  );
  assert.equal(decodePngRgba(await sharp(rgba, raw).toColourspace('rgb16').png().toBuffer()), null, '16 bit');
  assert.equal(decodePngRgba(await sharp(rgba, raw).jpeg().toBuffer()), null, 'jpeg');
});

test('reports a PNG as opaque only when it can hold no translucent pixel, decoded or from its header', async () => {
  const rgba = source(8, 8, 4);
  const opaque = Buffer.from(rgba);
  for (let i = 3; i < opaque.length; i += 4) opaque[i] = 255;
  const raw = { raw: { width: 8, height: 8, channels: 4 } } as const;
  const paletted = (data: Buffer, withAlpha: boolean) =>
    encodePalettePng({ data, width: 8, height: 8, colors: 256, withAlpha });
  const opaquePalette = Buffer.from(paletted(opaque, true));
  // a tRNS chunk whose every entry is 255 (PIL writes none then; other writers may)
  const idat = opaquePalette.indexOf('IDAT') - 4;
  const allOpaqueTrns = Buffer.concat([
    opaquePalette.subarray(0, idat),
    pngChunk('tRNS', Buffer.alloc(4, 255)),
    opaquePalette.subarray(idat),
  ]);
  const cases: [string, Buffer, boolean][] = [
    ['palette without tRNS', paletted(opaque, false), true],
    ['palette with translucent entries', paletted(rgba, true), false],
    ['palette with a tRNS of 255s', allOpaqueTrns, true],
    ['RGB', await sharp(opaque, raw).removeAlpha().png().toBuffer(), true],
    ['RGBA, even when all 255', await sharp(opaque, raw).png().toBuffer(), false],
    ['RGB with a key colour', keyedPng(2, 2, 2, [0, 1, 0, 2, 0, 3]), false],
    ['grey', await sharp(opaque, raw).removeAlpha().toColourspace('b-w').png().toBuffer(), true],
    ['grey with a key colour', keyedPng(0, 2, 2, [0, 1]), false],
  ];
  for (const [name, png, expected] of cases) {
    assert.equal(decodePngRgba(png)?.opaque, expected, name);
    assert.equal(isOpaquePng(png), expected, `${name}, from the header`);
  }
  assert.equal(isOpaquePng(await sharp(opaque, raw).jpeg().toBuffer()), false, 'no PNG');
  assert.equal(isOpaquePng(opaquePalette.subarray(0, 20)), false, 'truncated');
});

test('a row cache gives the same pixels, keyed by the pixel data and not the file', async () => {
  const rows = new Map<string, Uint8Array>();
  const cache = {
    get: (key: string) => rows.get(key),
    set: (key: string, value: Uint8Array) => rows.set(key, value),
  };
  const raw = { raw: { width: 8, height: 8, channels: 4 } } as const;
  const filtered = await sharp(source(8, 8, 7), raw)
    .png({ adaptiveFiltering: true })
    .toBuffer();
  const other = await sharp(source(8, 8, 5), raw)
    .png({ adaptiveFiltering: true })
    .toBuffer();
  const plain = decodePngRgba(filtered)?.pixels;
  assert.deepEqual(decodePngRgba(filtered, undefined, cache)?.pixels, plain, 'first, inflated');
  assert.equal(rows.size, 1);
  assert.deepEqual(decodePngRgba(filtered, undefined, cache)?.pixels, plain, 'second, from the cache');
  assert.deepEqual(
    decodePngRgba(other, undefined, cache)?.pixels,
    decodePngRgba(other)?.pixels,
    'another tile',
  );
  assert.equal(rows.size, 2);
});

test('decodes the same through its kept inflate stream: split IDATs, after a corrupt or short stream, large and small in turn', async () => {
  const raw = (w: number, h: number) => ({ raw: { width: w, height: h, channels: 4 as const } });
  const small = await sharp(source(67, 45, 7), raw(67, 45))
    .png()
    .toBuffer();
  const large = await sharp(source(1024, 1024, 5), raw(1024, 1024))
    .png({ compressionLevel: 1 })
    .toBuffer();
  const expected = async (png: Buffer) =>
    new Uint8Array((await sharp(png).ensureAlpha().raw().toBuffer()).buffer);
  const [smallPixels, largePixels] = [await expected(small), await expected(large)];
  /** `png` with its one IDAT split into `parts` IDAT chunks. */
  const split = (png: Buffer, parts: number): Buffer => {
    const at = png.indexOf('IDAT') - 4;
    const body = png.subarray(at + 8, at + 8 + png.readUInt32BE(at));
    const step = Math.ceil(body.length / parts);
    const chunks = Array.from({ length: parts }, (_, i) =>
      pngChunk('IDAT', body.subarray(i * step, (i + 1) * step)),
    );
    return Buffer.concat([png.subarray(0, at), ...chunks, png.subarray(at + 12 + body.length)]);
  };
  /** `png` with its IDAT's zlib stream cut to `keep` bytes, or with bytes flipped past the header. */
  const damaged = (png: Buffer, how: 'short' | 'corrupt'): Buffer => {
    const at = png.indexOf('IDAT') - 4;
    const body = Buffer.from(png.subarray(at + 8, at + 8 + png.readUInt32BE(at)));
    if (how === 'corrupt') for (let i = 2; i < body.length; i += 7) body[i] = (body[i] as number) ^ 0x5a;
    const idat = how === 'short' ? body.subarray(0, body.length >> 1) : body;
    return Buffer.concat([png.subarray(0, at), pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array(0))]);
  };
  for (let round = 0; round < 2; round++) {
    assert.deepEqual(decodePngRgba(large)?.pixels, largePixels, 'large');
    assert.deepEqual(decodePngRgba(small)?.pixels, smallPixels, 'small after large');
    assert.deepEqual(decodePngRgba(split(large, 5))?.pixels, largePixels, 'large in 5 IDATs');
    assert.throws(() => decodePngRgba(damaged(small, 'corrupt')), 'corrupt');
    assert.deepEqual(
      decodePngRgba(split(small, 3))?.pixels,
      smallPixels,
      'small in 3 IDATs after a corrupt one',
    );
    assert.throws(() => decodePngRgba(damaged(large, 'short')), /unexpected end/, 'short');
    assert.deepEqual(decodePngRgba(large)?.pixels, largePixels, 'large after a short one');
  }
});
