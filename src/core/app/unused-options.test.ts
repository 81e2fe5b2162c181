import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkConfiguration } from './check.js';

test('options accepted without effect (font_dir, nominal_res/_scale, merge_method) warn at their key; the config still loads', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'unused-options-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'mapproxy.yaml');
  await writeFile(
    file,
    [
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
      '',
    ].join('\n'),
  );
  const result = await checkConfiguration({ configFile: file });
  assert.deepEqual(result.errors, []);
  const unused = result.warnings
    .filter((w) => w.message.startsWith('is not used'))
    .map((w) => `${String(w.line)}:${String(w.column)} ${w.path.join('.')}: ${w.message.slice(0, 40)}`);
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
