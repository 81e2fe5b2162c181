/**
 * Invalid image options refuse the configuration at their key, as MapProxy 1.15's loader refuses
 * them (`_check_encoding_options` for every cache and every source it builds).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { checkConfiguration } from './check.js';

/** `check` of a mapproxy.yaml with a WMS source `w` under a cache and a tile source `t` under another. */
async function check(t: TestContext, wmsImage: string, tileImage = '{}', cacheImage = '{}', globals = '{}') {
  const dir = await makeTempDir(t);
  const file = join(dir, 'mapproxy.yaml');
  const lines = [
    `globals: ${globals}`,
    'services:',
    '  tms:',
    'layers:',
    '  - {name: l, title: l, sources: [c]}',
    '  - {name: lt, title: lt, sources: [ct]}',
    'caches:',
    '  ct: {grids: [GLOBAL_WEBMERCATOR], sources: [t]}',
    '  c:',
    '    grids: [GLOBAL_WEBMERCATOR]',
    '    sources: [w]',
    `    image: ${cacheImage}`,
    'sources:',
    '  w:',
    '    type: wms',
    "    req: {url: 'http://127.0.0.1:1/service', layers: a}",
    `    image: ${wmsImage}`,
    '  t:',
    '    type: tile',
    '    grid: GLOBAL_WEBMERCATOR',
    "    url: 'http://127.0.0.1:1/%(z)s/%(x)s/%(y)s.png'",
    `    image: ${tileImage}`,
    '',
  ];
  await writeFile(file, lines.join('\n'));
  const result = await checkConfiguration({ configFile: file });
  return result.errors.map((e) => `${String(e.line)}:${String(e.column)} ${e.path.join('.')}: ${e.detail}`);
}

test("a source's invalid encoding_options refuse the configuration at their key, as MapProxy's loader does", async (t) => {
  // MapProxy 1.15 (make_wsgi_app): 'unknown quantizer', 'jpeg_quality is not an integer',
  // 'unknown tiff_compression', "unknown encoding_options: {'speed': 1}"; we warned 'is not used'
  assert.deepEqual(await check(t, '{encoding_options: {quantizer: nope}}'), [
    '17:43 sources.w.image.encoding_options.quantizer: unknown quantizer "nope"',
  ]);
  assert.deepEqual(await check(t, '{encoding_options: {jpeg_quality: high}}'), [
    '17:46 sources.w.image.encoding_options.jpeg_quality: jpeg_quality is not an integer',
  ]);
  assert.deepEqual(await check(t, '{}', '{encoding_options: {tiff_compression: zip}}'), [
    '22:50 sources.t.image.encoding_options.tiff_compression: unknown tiff_compression "zip"',
  ]);
  assert.deepEqual(await check(t, '{encoding_options: {jpeg_quality: 80, speed: 1}}'), [
    '17:57 sources.w.image.encoding_options.speed: unknown encoding_options: speed',
  ]);
});

test('what MapProxy accepts is accepted: any integer quality, falsy values, a valid quantizer', async (t) => {
  for (const image of [
    '{encoding_options: {jpeg_quality: 200}}',
    '{encoding_options: {jpeg_quality: true, quantizer: "", tiff_compression: null}}',
    '{encoding_options: {quantizer: mediancut, tiff_compression: tiff_lzw}}',
  ])
    assert.deepEqual(await check(t, image, image, image), [], image);
});

test("a cache's invalid encoding option is named by its key", async (t) => {
  assert.deepEqual(await check(t, '{}', '{}', '{encoding_options: {quantizer: octree}}'), [
    '12:43 caches.c.image.encoding_options.quantizer: unknown quantizer "octree"',
  ]);
});

test('a globals.image.formats entry with invalid encoding_options refuses the configuration, used or not', async (t) => {
  // MapProxy 1.15 checks every entry when it reads globals.image (_init_formats); we checked the
  // entries a cache or WMS format used only
  const globals =
    '{image: {formats: {spare: {format: image/png, encoding_options: {quantizer: nope, speed: 1}}}}}';
  assert.deepEqual(await check(t, '{}', '{}', '{}', globals), [
    '1:86 globals.image.formats.spare.encoding_options.quantizer: unknown quantizer "nope"',
    '1:99 globals.image.formats.spare.encoding_options.speed: unknown encoding_options: speed',
  ]);
});
