/**
 * Pillow's median cut, which MapProxy 1.15 uses for GIF and `quantizer: mediancut`:
 * test/fixtures/pillow-median-cut/cases.json holds small sources and what Pillow 9.4 (Debian
 * python3-pil, through MapProxy's img_to_buf) made of them; capture.py beside it regenerates it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { closeImageWorkers, imageFromRaw, resolveImageOptions, type ImageFormatOptions } from './index.js';
import { quantizeMedianCut } from './quantize-median-cut.js';

interface Case {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly rgba: string;
  readonly mediancut: Readonly<Record<string, string>>;
  readonly gifRGB: string;
  readonly gifRGBA: string;
  readonly pngMediancutAlpha: string;
  readonly gif16fastoctree: string;
  readonly gif16mediancut: string;
}

const { cases } = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/pillow-median-cut/cases.json', import.meta.url), 'utf8'),
) as { cases: readonly Case[] };

after(() => closeImageWorkers());

const bytes = (base64: string): Buffer => Buffer.from(base64, 'base64');

/**
 * Pixels whose colour differs between `ours` and `expected`: RGB only, or with `withAlpha` RGBA
 * where a pixel transparent in both matches whatever its RGB (decoders differ there).
 */
function differing(ours: Uint8Array, expected: Uint8Array, withAlpha: boolean): number {
  let count = 0;
  for (let i = 0; i < expected.length; i += 4) {
    if (withAlpha && ours[i + 3] === 0 && expected[i + 3] === 0) continue;
    for (let c = 0; c < (withAlpha ? 4 : 3); c++) {
      if (ours[i + c] !== expected[i + c]) {
        count++;
        break;
      }
    }
  }
  return count;
}

async function encodeAndDecode(source: Case, options: ImageFormatOptions): Promise<Buffer> {
  const raw = { data: bytes(source.rgba), size: [source.width, source.height] as const };
  const { data } = await imageFromRaw(raw).encode(options);
  return sharp(data).ensureAlpha().raw().toBuffer();
}

const GIF = resolveImageOptions({ format: 'image/gif' });

for (const source of cases) {
  test(`${source.name}: every pixel gets Pillow's median cut colour (256, 16 and 3 colours)`, () => {
    for (const [colors, expected] of Object.entries(source.mediancut)) {
      const { palette, indices } = quantizeMedianCut(bytes(source.rgba), Number(colors));
      assert.ok(palette.length / 4 <= Number(colors), `${colors}: ${palette.length / 4} entries`);
      const ours = new Uint8Array(indices.length * 4);
      indices.forEach((index, i) => {
        ours.set(palette.subarray(index * 4, index * 4 + 4), i * 4);
      });
      assert.equal(differing(ours, bytes(expected), false), 0, `${colors} colours`);
    }
  });

  test(`${source.name}: GIF decodes to MapProxy's pixels from RGB and from RGBA`, async () => {
    const rgb = await encodeAndDecode(source, { ...GIF, mode: 'RGB' });
    assert.equal(differing(rgb, bytes(source.gifRGB), true), 0, 'RGB');
    // `transparent` stands for PIL's mode RGBA (the caller's to know, 78e5b13): Pillow's RGBA path
    // (fastoctree) also where no pixel is transparent
    const rgba = await encodeAndDecode(source, { ...GIF, mode: 'RGBA', transparent: true });
    assert.equal(differing(rgba, bytes(source.gifRGBA), true), 0, 'RGBA');
  });

  test(`${source.name}: quantizer mediancut with transparency as MapProxy (alpha <= 128 transparent)`, async () => {
    const options = resolveImageOptions({
      format: 'image/png',
      image: { transparent: true, encoding_options: { quantizer: 'mediancut' } },
    });
    const decoded = await encodeAndDecode(source, options);
    assert.equal(differing(decoded, bytes(source.pngMediancutAlpha), true), 0);
  });
}

for (const source of cases) {
  test(`${source.name}: GIF with colors set is quantised first, as MapProxy (alpha kept only by mediancut)`, async () => {
    for (const quantizer of ['fastoctree', 'mediancut'] as const) {
      const options = { ...GIF, colors: 16, transparent: true, quantizer };
      const decoded = await encodeAndDecode(source, options);
      const expected = quantizer === 'mediancut' ? source.gif16mediancut : source.gif16fastoctree;
      assert.equal(differing(decoded, bytes(expected), true), 0, quantizer);
    }
  });
}

test('a single-colour image keeps its colour in one entry', () => {
  const data = new Uint8Array(16 * 4).fill(77);
  const { palette, indices } = quantizeMedianCut(data, 256);
  assert.deepEqual([...palette], [77, 77, 77, 255]);
  assert.deepEqual([...new Set(indices)], [0]);
});
