/**
 * A `format: mixed` cache over one WMS source whose `coverage` (a bbox, no clip) covers only a part
 * of the meta tile: the source pastes its answer on a transparent canvas (MapProxy SubImageSource)
 * and the mixed cache stores PNG tiles quantised to the source's 256 colours (MapProxy's
 * compatible_image_options hands the source's `colors` to a cache whose own format does not name
 * png), without alpha over an opaque source: white outside the coverage. We stored RGBA PNGs,
 * transparent there (generated differential, seed 20, gen-20-05: 6 geopackage tiles of level 8 at
 * PSNR 0.5 dB). A cache source hands on its own colors (a PNG cache's 256); alone (tiled_only) its
 * tiles are re-encoded, not stored as the PNG cache's bytes. `image.opacity` changes nothing (a
 * lone source is not merged). A tile or debug source brings no colors (None, not 0): next to the
 * WMS source, and in a band merge, its 256 still quantise the tiles. So does a cache whose
 * `format: png8` names no format (stored as PNG): 256 over the source, none over a debug source
 * (truecolour), where we gave it img_to_buf's 255. MapProxy's bytes
 * captured by test/fixtures/mixed-sub-image/capture.py (mapproxy-seed over the band image).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { bands } from '../helpers/band-upstream.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { seedWith } from '../helpers/palette-seed.js';
import { startUpstream } from '../helpers/upstream.js';

/** Level 3 tiles x/y.mixed (x/y.png for png8) and their sha256, as MapProxy 1.15 wrote them (capture.py). */
const MAPPROXY_TILES = {
  // PNG mode P, opaque: white (255 and FASTOCTREE's 254) outside the coverage
  opaque: {
    '3/2': '555a2bbb39c1fc1087544c250a50ca7fe65b2b5f237a2afa6e397190a5128e29',
    '3/3': 'c1e3cd40fceb1d74d6f8f64e3be8553b060559b3f3feed90bb11fd54b4aa3105',
    '4/2': '7a5074fde607d1f9aad9dd96caad0be320aeb5e869fc5bf5fda2a2be3dc5a421',
    '4/3': 'b5fef1da00cfa1b3b9e6af8d100247b5764ba710f55f1420e7296b5c0f5f4632',
    '5/2': '7bab9b4e1d965f626c5d13bfc7bf938fb5c112b7321f1cc9d6a7584958b85a18',
    '5/3': '7bab9b4e1d965f626c5d13bfc7bf938fb5c112b7321f1cc9d6a7584958b85a18',
  },
  // PNG mode P with tRNS: (255, 255, 255, 0) outside the coverage
  transparent: {
    '3/2': '9c0ce61f00797f58ff63f08a5939eed525569c5828128f1eeeb092088d9f1925',
    '3/3': '2ac235778c93f244f89c949643c0dc90f26297c7815d05c7b9e8138fdb25f0c8',
    '4/2': '1c991c784edcf043fc4360904b7391309fe82102552f76ec152624a459d2c9ec',
    '4/3': '6ef2cb2695e72011b8d12653ce67b34601ddb8c6c18a27a09ecfc1cee88ca0c6',
    '5/2': '297a5f8dd65c600f440a29066aff35a1a7001914926f1e1d737163d1d0583c44',
    '5/3': '297a5f8dd65c600f440a29066aff35a1a7001914926f1e1d737163d1d0583c44',
  },
  // the transparent source and a PNG cache of it, merged (the cache hands on its colors, 256)
  'source and cache': {
    '3/2': '03df52ac3d5de0e7841369a16cf1df1973bcf770456fc2838c2f5961aa91f37c',
    '3/3': '31ffea53b04d767faf7138d5a5e4936eb55f493d1f497c14dedc44df0fc0e477',
    '4/2': '56ed0a124082c05bcdee4bcd958a43f66867e73f41548d15c93e2398ac93d98e',
    '4/3': 'eb0f5a88b23575a3f735e02fc59d08c47406075ebbd359604945bf65f492bf70',
    '5/2': '297a5f8dd65c600f440a29066aff35a1a7001914926f1e1d737163d1d0583c44',
    '5/3': '297a5f8dd65c600f440a29066aff35a1a7001914926f1e1d737163d1d0583c44',
  },
  // the PNG cache alone (tiled_only, tile by tile): each tile it created is converted from its
  // unquantised image with the mixed cache's options: opaque, white outside the coverage (we
  // stored the PNG cache's bytes as they were, with tRNS)
  cache: {
    '3/2': '3e4091c1cf2043b5c40e90e96a596ba3d93a139bd0446b41001785bb864ded1d',
    '4/2': '7a5074fde607d1f9aad9dd96caad0be320aeb5e869fc5bf5fda2a2be3dc5a421',
  },
  // the same with the PNG cache seeded first: its stored tiles are converted (opened as RGBA):
  // black where the stored tile is (0, 0, 0, 0)
  'cache seeded first': {
    '3/2': '3e4091c1cf2043b5c40e90e96a596ba3d93a139bd0446b41001785bb864ded1d',
    '4/2': '7ab2efabd982a49ae9490c0de1cc7964ea16358d1e119273a9285a254b33dff9',
  },
  // next to a tile or a debug source, and in a band merge with an alpha band: the WMS source's
  // 256 colours (we kept the cache's own 0 and stored RGBA)
  'tile source and source': {
    '3/2': '38cb98538ea67003da5e9572eea75b46b053c15e2975eaa2cff703c1e780942d',
    '4/2': '6dac7b2647c451688846ebf13681a98b841ce983d0bb0e3babbaa168a770fc41',
  },
  'source and debug source': {
    '3/2': '43600fd7ca70aee9fdab83e8eb29190fbf288cb51535cb58c03aaf9c02505c81',
    '4/2': 'e962e0e2b44c41d60d7a4a0369ad4c0da3da6cfb6c594be9d7abf234a07febff',
  },
  'band merge with alpha': {
    '3/2': '288785df86bfcbc5801182a06c83cd1c527cee7025b1b9ae0c4b2cc0835f778e',
    '4/2': '9fc70fa300d49e1c4e01f5725d878a56ed79d9203252c26524e26c6e64cff090',
  },
  // `format: png8`, no formats entry: the source's 256 (a 256-entry tRNS; we wrote 255 entries)
  'png8 over source': {
    '3/2': '9722dab7b16592009f55a8b530376c98353f802819d479d3ef6bb482f67b029c',
    '4/2': '49bc6aa5edd3658f52db71bbb0e83b023b3b515632522321e122fdd6fd5bf429',
  },
  // and over a debug source no palette: truecolour RGBA (Pillow's PNG bytes are not ours, so
  // the sha256 of the RGBA pixels; we wrote paletted tiles)
  'png8 over debug source': {
    '3/2': { pixels: '46eda3225ca56586d34c8a21473bc5e0743a3fb5574e0e29e035124658a09e86' },
    '4/2': { pixels: 'fea032e4f641602112a102f4d21fc25b4f489840abca1725289bdefd44ea20aa' },
  },
} as const;

const SOURCES: Record<string, string> = {
  'source and cache': '[s0, cp]',
  cache: '[cp]',
  'cache seeded first': '[cp]',
  'tile source and source': '[t0, s0]',
  'source and debug source': '[s0, dbg]',
  'band merge with alpha':
    '{r: [{source: s0, band: 0}], g: [{source: s0, band: 1}], b: [{source: t0, band: 2}], a: [{source: s0, band: 3}]}',
  'png8 over debug source': '[dbg]',
};
/** Without meta tiles (a tile source supports none). */
const TILED = new Set([
  'tile source and source',
  'source and debug source',
  'band merge with alpha',
  'png8 over source',
  'png8 over debug source',
]);

for (const [name, tiles] of Object.entries(MAPPROXY_TILES)) {
  test(`a mixed (or unnamed-format) cache's tiles take their palette from the sources (${name}), MapProxy's bytes (MapProxy 1.15)`, async (t) => {
    const upstream = await startUpstream(t, { '/service': bands });
    const dir = await makeTempDir(t, 'mixed-sub-image-');
    await writeFile(
      join(dir, 'mapproxy.yaml'),
      `services:
  tms: {}
layers:
  - {name: c0, title: c0, sources: [c0]}
caches:
  c0:
    grids: [GLOBAL_GEODETIC]
    sources: ${SOURCES[name] ?? '[s0]'}
    format: ${name.startsWith('png8') ? 'png8' : 'mixed'}
    request_format: image/png
    meta_size: ${TILED.has(name) ? '[1, 1]\n    meta_buffer: 0' : '[3, 2]'}
    cache: {type: file, directory_layout: tms}
  cp:
    grids: [GLOBAL_GEODETIC]
    sources: [s0]
    cache: {type: file, directory_layout: tms}
sources:
  s0:
    type: wms
    req: {url: ${upstream.url}/service, layers: l0${name === 'opaque' ? '' : ', transparent: true'}}
    coverage: {bbox: [-10, 35, 30, 60], srs: 'EPSG:4326'}
    image: {opacity: 0.3}
  t0:
    type: tile
    grid: GLOBAL_GEODETIC
    url: ${upstream.url}/service?width=256&height=256&tile=%(z)s/%(x)s/%(y)s
  dbg:
    type: debug
globals:
  cache: {base_dir: cache_data/}
`,
    );
    await seedWith(
      dir,
      `seeds:${name === 'cache seeded first' ? '\n  p:\n    caches: [cp]\n    levels: [3]\n    coverages: [c]' : ''}
  s:
    caches: [c0]
    levels: [3]
    coverages: [c]
coverages:
  c: {bbox: [-10, 30, 30, 40], srs: 'EPSG:4326'}
`,
    );
    const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
    for (const [tile, expected] of Object.entries<string | { readonly pixels: string }>(tiles)) {
      const file = `${tile}.${name.startsWith('png8') ? 'png' : 'mixed'}`;
      const data = await readFile(join(dir, 'cache_data', 'c0_EPSG4326', '3', file));
      if (typeof expected !== 'string') {
        // colour type 6 (truecolour with alpha), as PIL's mode RGBA
        assert.equal(data[25], 6, `${tile}: PNG colour type`);
        assert.equal(sha256(await sharp(data).ensureAlpha().raw().toBuffer()), expected.pixels, tile);
        continue;
      }
      // colour type 3 (paletted), as PIL's mode P
      assert.equal(data[25], 3, `${tile}: PNG colour type`);
      assert.equal(sha256(data), expected, tile);
    }
  });
}
