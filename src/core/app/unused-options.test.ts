import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { ConfigWarning } from '../config/index.js';
import { checkConfiguration } from './check.js';

/** `check` of a mapproxy.yaml of `lines`, which must have no errors. */
async function checkLines(t: TestContext, lines: readonly string[]): Promise<readonly ConfigWarning[]> {
  const dir = await mkdtemp(join(tmpdir(), 'unused-options-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'mapproxy.yaml');
  await writeFile(file, [...lines, ''].join('\n'));
  const result = await checkConfiguration({ configFile: file });
  assert.deepEqual(result.errors, []);
  return result.warnings;
}

/** The "is not used" warnings `check` gives a mapproxy.yaml of `lines`. */
async function unusedWarnings(t: TestContext, lines: readonly string[]): Promise<ConfigWarning[]> {
  return (await checkLines(t, lines)).filter((w) => w.message.startsWith('is not used'));
}

test('options accepted without effect (font_dir, nominal_res/_scale, merge_method) warn at their key; the config still loads', async (t) => {
  const warnings = await unusedWarnings(t, [
    'services:',
    '  wms:',
    'globals:',
    '  image:',
    '    font_dir: ./fonts',
    '    merge_method: composite',
    '    formats: {image/png: {merge_method: composite}}',
    'layers:',
    '  - name: top',
    '    title: top',
    '    nominal_res: 10',
    '    layers:',
    '      - name: d',
    '        title: d',
    '        sources: [d]',
    '        nominal_scale: 5000',
    'sources:',
    '  d:',
    '    type: debug',
    '    image: {merge_method: composite}',
    'caches:',
    '  c:',
    '    sources: [d]',
    '    image: {merge_method: composite}',
  ]);
  const unused = warnings.map(
    (w) => `${String(w.line)}:${String(w.column)} ${w.path.join('.')}: ${w.message.slice(0, 40)}`,
  );
  assert.deepEqual(unused, [
    '5:15 globals.image.font_dir: is not used: mapproxy-ts draws messages ',
    '11:18 layers.0.nominal_res: is not used: only the OGC API Maps servi',
    '16:24 layers.0.layers.0.nominal_scale: is not used: only the OGC API Maps servi',
    '6:19 globals.image.merge_method: is not used: layers are always composite',
    '7:41 globals.image.formats.image/png.merge_method: is not used: layers are always composite',
    '24:27 caches.c.image.merge_method: is not used: layers are always composite',
    '20:27 sources.d.image.merge_method: is not used: layers are always composite',
  ]);
});

test('keys MapProxy 1.15 ignores too (axis_order_*, a cache name, sqlite ttl, link_single_color_images of a non-file cache, tile source request_format, concurrent_requests, http.method) warn at their key', async (t) => {
  const warnings = await unusedWarnings(t, [
    'globals:',
    '  srs:',
    '    axis_order_ne: [EPSG:31467]',
    '  cache:',
    '    link_single_color_images: true',
    '    azureblob: {container_name: tiles}',
    'services:',
    '  tms:',
    'layers:',
    '  - {name: l, title: l, sources: [levels]}',
    'caches:',
    '  levels:',
    '    name: other',
    '    grids: [GLOBAL_WEBMERCATOR]',
    '    sources: [t]',
    '    link_single_color_images: true',
    '    cache: {type: sqlite, ttl: 3600}',
    '  files:',
    '    grids: [GLOBAL_WEBMERCATOR]',
    '    sources: [t]',
    '    link_single_color_images: true',
    'sources:',
    '  t:',
    '    type: tile',
    '    grid: GLOBAL_WEBMERCATOR',
    "    url: 'http://127.0.0.1:1/%(z)s/%(x)s/%(y)s.png'",
    '    request_format: image/jpeg',
    '    concurrent_requests: 2',
    '    http: {method: GET}',
  ]);
  const unused = warnings.map((w) => `${String(w.line)}:${String(w.column)} ${w.path.join('.')}`);
  assert.deepEqual(unused, [
    '3:20 globals.srs.axis_order_ne',
    '6:16 globals.cache.azureblob',
    '13:11 caches.levels.name',
    '17:32 caches.levels.cache.ttl',
    '16:31 caches.levels.link_single_color_images',
    '27:21 sources.t.request_format',
    '28:26 sources.t.concurrent_requests',
    '29:20 sources.t.http.method',
  ]);
});

test("image keys of wms and tile sources that no image takes warn at their key; a WMS source's format does not", async (t) => {
  const warnings = await unusedWarnings(t, [
    'services:',
    '  tms:',
    'layers:',
    '  - {name: l, title: l, sources: [c]}',
    'caches:',
    '  c:',
    '    grids: [GLOBAL_WEBMERCATOR]',
    '    sources: [w]',
    '  ct:',
    '    grids: [GLOBAL_WEBMERCATOR]',
    '    sources: [t]',
    'sources:',
    '  w:',
    '    type: wms',
    "    req: {url: 'http://127.0.0.1:1/service', layers: a}",
    '    image: {format: image/jpeg, colors: 16, mode: RGB, encoding_options: {jpeg_quality: 70}}',
    '  t:',
    '    type: tile',
    '    grid: GLOBAL_WEBMERCATOR',
    "    url: 'http://127.0.0.1:1/%(z)s/%(x)s/%(y)s.png'",
    '    image: {transparent: true, format: image/png, resampling_method: nearest, colors: 0}',
  ]);
  const unused = warnings.map((w) => `${String(w.line)}:${String(w.column)} ${w.path.join('.')}`);
  assert.deepEqual(unused, [
    '16:41 sources.w.image.colors',
    '16:51 sources.w.image.mode',
    '16:74 sources.w.image.encoding_options',
    '21:87 sources.t.image.colors',
    '21:40 sources.t.image.format',
    '21:70 sources.t.image.resampling_method',
  ]);
});

test("a WMS or tile source's image.colors (and a tile source's format) that a mixed cache takes is read, so it does not warn; under a PNG cache it does", async (t) => {
  const warnings = await unusedWarnings(t, [
    'services:',
    '  tms:',
    'layers:',
    '  - {name: l, title: l, sources: [m, p]}',
    'caches:',
    '  m: {grids: [GLOBAL_WEBMERCATOR], sources: [w, t], format: mixed, request_format: image/png, meta_size: [1, 1], meta_buffer: 0}',
    '  p: {grids: [GLOBAL_WEBMERCATOR], sources: [v]}',
    'sources:',
    '  w:',
    '    type: wms',
    "    req: {url: 'http://127.0.0.1:1/service', layers: a}",
    '    image: {colors: 16, mode: RGB}',
    '  v:',
    '    type: wms',
    "    req: {url: 'http://127.0.0.1:1/service', layers: a}",
    '    image: {colors: 16}',
    '  t:',
    '    type: tile',
    '    grid: GLOBAL_WEBMERCATOR',
    "    url: 'http://127.0.0.1:1/%(z)s/%(x)s/%(y)s.png'",
    '    image: {format: image/png, colors: 16, resampling_method: nearest}',
  ]);
  assert.deepEqual(
    warnings.map((w) => w.path.join('.')),
    ['sources.w.image.mode', 'sources.v.image.colors', 'sources.t.image.resampling_method'],
  );
});

test("a cache's image.opacity and a format entry's opacity are read, so they are no unknown keys", async (t) => {
  const warnings = await checkLines(t, [
    'services: {wms: }',
    'globals:',
    '  image:',
    '    formats: {faded: {format: image/png, opacity: 0.5}}',
    'layers:',
    '  - {name: l, title: l, sources: [c, f]}',
    'caches:',
    '  c: {grids: [GLOBAL_WEBMERCATOR], sources: [d], image: {opacity: 0.5}}',
    '  f: {grids: [GLOBAL_WEBMERCATOR], sources: [d], format: faded}',
    'sources:',
    '  d: {type: debug}',
  ]);
  assert.deepEqual(
    warnings.map((w) => `${w.path.join('.')}: ${w.message}`),
    [],
  );
});

test("an arcgis source's opts.map, which makes it feature-info only, is read, so it is no unknown key", async (t) => {
  const warnings = await checkLines(t, [
    'services: {wms: }',
    'layers:',
    '  - {name: a, title: a, sources: [arc]}',
    'sources:',
    '  arc:',
    '    type: arcgis',
    '    opts: {map: false, featureinfo: true}',
    "    req: {url: 'http://127.0.0.1:9/arcgis/rest/services/x/MapServer'}",
  ]);
  assert.deepEqual(
    warnings.map((w) => `${w.path.join('.')}: ${w.message}`),
    [],
  );
});
