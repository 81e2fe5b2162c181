import assert from 'node:assert/strict';
import test from 'node:test';
import {
  configuredImageOptions,
  resolveImageOptions,
  type GlobalImageSpec,
  type ImageOptionsRequest,
} from './index.js';

const A: GlobalImageSpec = {
  formats: {
    'image/png; mode=8bit': { format: 'image/png', mode: 'P', colors: 256 },
    png_trans: { format: 'image/png', transparent: true, colors: 0, resampling_method: 'bilinear' },
    'image/jpeg': { encoding_options: { jpeg_quality: 60 } },
    faded: { format: 'image/png', opacity: 0.5 },
  },
};
const B: GlobalImageSpec = { paletted: false, jpeg_quality: 75, resampling_method: 'bilinear' };

const base = {
  mode: null,
  colors: 0,
  transparent: false,
  resampling: 'bicubic',
  jpegQuality: 90,
  quantizer: null,
  tiffCompression: null,
  opacity: null,
};

// Expected: MapProxy 1.15 ProxyConfiguration(globals).globals.image_options.image_opts(image, format)
// (/usr/bin/python3). Its None becomes our default (colors 0, transparent false); jpeg_quality not
// in encoding_options is globals.image.jpeg_quality, which img_to_buf reads at encode time; a png
// format without colors that the loader left None gets img_to_buf's forced 255.
const TABLE: readonly (readonly [GlobalImageSpec, ImageOptionsRequest, Record<string, unknown>])[] = [
  [A, { format: 'image/png' }, { format: 'image/png', colors: 256 }],
  [A, { format: 'image/jpeg' }, { format: 'image/jpeg', jpegQuality: 60 }],
  [A, { format: 'mixed' }, { format: 'mixed' }],
  [A, { format: 'png' }, { format: 'image/png', colors: 255 }],
  [A, { format: 'image/png', image: { colors: 0 } }, { format: 'image/png', colors: 0 }],
  [
    A,
    {
      format: 'image/png',
      image: { transparent: true, resampling_method: 'nearest', encoding_options: { jpeg_quality: 70 } },
    },
    { format: 'image/png', colors: 256, transparent: true, resampling: 'nearest', jpegQuality: 70 },
  ],
  [A, { format: 'png_trans' }, { format: 'image/png', transparent: true, resampling: 'bilinear' }],
  [
    A,
    { format: 'png_trans', image: { opacity: 0.5, colors: 32 } },
    { format: 'image/png', colors: 32, transparent: true, resampling: 'bilinear', opacity: 0.5 },
  ],
  [A, { format: 'faded' }, { format: 'image/png', colors: 256, opacity: 0.5 }],
  [A, { format: 'image/png; mode=8bit' }, { format: 'image/png', mode: 'P', colors: 256 }],
  [A, { format: 'image/gif', image: { mode: 'RGBA' } }, { format: 'image/gif', mode: 'RGBA' }],
  [
    A,
    { format: 'image/jpeg', image: { format: 'image/png' } },
    { format: 'image/png', colors: 256, jpegQuality: 60 },
  ],
  [
    A,
    { format: 'image/png', image: { encoding_options: { quantizer: 'mediancut' } } },
    { format: 'image/png', colors: 256, quantizer: 'mediancut' },
  ],
  [B, { format: 'image/png' }, { format: 'image/png', resampling: 'bilinear', jpegQuality: 75 }],
  [B, { format: 'image/jpeg' }, { format: 'image/jpeg', resampling: 'bilinear', jpegQuality: 75 }],
  [{}, { format: 'image/vnd.jpeg-png' }, { format: 'image/vnd.jpeg-png', colors: 256 }],
];

for (const [globals, request, expected] of TABLE) {
  test(`resolves ${JSON.stringify(request)} like MapProxy's loader`, () => {
    assert.deepEqual(resolveImageOptions(request, globals), { ...base, ...expected });
  });
}

test("rejects options MapProxy's loader rejects", () => {
  for (const image of [
    { encoding_options: { jpeg_quality: 'high' } },
    { encoding_options: { quantizer: 'octree' } },
    { encoding_options: { tiff_compression: 'zip' } },
    { encoding_options: { speed: 1 } },
    { resampling_method: 'lanczos' },
  ]) {
    assert.throws(
      () => resolveImageOptions({ format: 'image/png', image }),
      { code: 'IMAGE_OPTION' },
      JSON.stringify(image),
    );
  }
});

test('tiff_compression is carried through', () => {
  const options = resolveImageOptions({
    format: 'image/tiff',
    image: { encoding_options: { tiff_compression: 'tiff_lzw' } },
  });
  assert.equal(options.tiffCompression, 'tiff_lzw');
});

test('jpeg_quality is checked as MapProxy checks it and encoded as libjpeg takes it (1-100)', () => {
  const quality = (encoding: Record<string, unknown>, globals: GlobalImageSpec = {}) =>
    resolveImageOptions({ format: 'image/jpeg', image: { encoding_options: encoding } }, globals).jpegQuality;
  // MapProxy checks only for an integer, and PIL's libjpeg clamps: 200 encodes as 100 (sharp
  // refused 200, every tile of such a cache a 500)
  assert.equal(quality({ jpeg_quality: 200 }), 100);
  assert.equal(quality({ jpeg_quality: 0 }), 1);
  assert.equal(quality({ jpeg_quality: -5 }), 1);
  assert.equal(quality({}, { jpeg_quality: 150 }), 100);
  // a Python bool is an int, and falsy values are not checked
  assert.equal(quality({ jpeg_quality: true }), 1);
  assert.equal(quality({ jpeg_quality: '', quantizer: '', tiff_compression: false }), 90);
});

test("the configured options are MapProxy's image_opts: null where the configuration says nothing", () => {
  // a bare name that is no entry: no format and no colours configured (a source asks for the
  // query's format); the encoder writes it as image/png with img_to_buf's 255 colours
  const bare = { format: 'png' };
  assert.deepEqual(configuredImageOptions(bare), {
    format: null,
    colors: null,
    mode: null,
    transparent: null,
    opacity: null,
    resampling: 'bicubic',
    encoding: {},
  });
  assert.deepEqual(resolveImageOptions(bare), { ...base, format: 'image/png', colors: 255 });
  // an entry's format and the paletted 256 are configured
  assert.deepEqual(configuredImageOptions({ format: 'png_trans' }, A), {
    format: 'image/png',
    colors: 0,
    mode: null,
    transparent: true,
    opacity: null,
    resampling: 'bilinear',
    encoding: {},
  });
  assert.equal(configuredImageOptions({ format: 'image/png' }).colors, 256);
  assert.equal(configuredImageOptions({ format: 'mixed', image: { format: 'image/png' } }).format, 'mixed');
});
