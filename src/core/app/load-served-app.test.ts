import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { closePaletteWorkers, paletteThreadCount } from '../image/index.js';
import { configureLogging, onLog, type LogRecord } from '../util/index.js';
import { loadServedApp } from './load-served-app.js';

/** A configuration with one cache on `source` (YAML lines of its `sources:` entry). */
const config = (source: readonly string[]): string =>
  [
    'services:',
    '  tms:',
    'layers:',
    '  - name: l',
    '    title: l',
    '    sources: [c]',
    'caches:',
    '  c:',
    '    grids: [GLOBAL_WEBMERCATOR]',
    '    sources: [s]',
    'sources:',
    '  s:',
    ...source.map((line) => `    ${line}`),
    'globals:',
    '  cache:',
    '    base_dir: ./cache_data',
    '',
  ].join('\n');

/** Whether undici's CommonJS modules have been loaded into this process. */
const undiciLoaded = (): boolean =>
  Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('/node_modules/undici/'));

/** Whether sharp's libvips is mapped into this process. */
const sharpLoaded = async (): Promise<boolean> =>
  (await readFile('/proc/self/maps', 'utf8')).includes('libvips');

test('warmUp loads undici only for a configuration with an HTTP source and starts the image threads, but not sharp', async (t) => {
  const dir = await makeTempDir(t, 'warm-up-');
  const local = join(dir, 'local.yaml');
  const remote = join(dir, 'remote.yaml');
  await writeFile(local, config(['type: debug']));
  // nothing listens there: a warm-up must not ask the upstream anything
  await writeFile(remote, config(['type: wms', 'req:', '  url: http://127.0.0.1:9/service', '  layers: x']));
  t.after(() => closePaletteWorkers());
  assert.equal(undiciLoaded(), false, 'not loaded by importing the core modules');

  const plain = await loadServedApp(remote);
  await plain.close?.();
  assert.deepEqual(
    [undiciLoaded(), await sharpLoaded(), paletteThreadCount()],
    [false, false, 0],
    'without warmUp nothing is loaded or started',
  );

  const debugOnly = await loadServedApp(local, { warmUp: true });
  await debugOnly.close?.();
  assert.equal(undiciLoaded(), false, 'a debug source asks no upstream');
  assert.ok(paletteThreadCount() > 0, 'the image threads run');
  // PNG tiles and 8-bit PNG maps never need libvips: it is loaded by the first image that does
  assert.equal(await sharpLoaded(), false);

  const warmed = await loadServedApp(remote, { warmUp: true });
  await warmed.close?.();
  assert.equal(undiciLoaded(), true);
});

test("a served configuration's warnings are logged at their keys, as MapProxy's loader logs them", async (t) => {
  const dir = await makeTempDir(t, 'served-warnings-');
  const file = join(dir, 'mapproxy.yaml');
  await writeFile(file, config(['type: debug', 'seed_onyl: true']));
  configureLogging({ stdout: false });
  t.after(() => {
    configureLogging();
  });
  const records: LogRecord[] = [];
  t.after(onLog((record) => records.push(record)));

  const app = await loadServedApp(file);
  await app.close?.();
  assert.deepEqual(
    records.filter((r) => r.level === 'warning').map((r) => `${r.name}: ${r.message.replace(dir, '<dir>')}`),
    ["mapproxy.config: <dir>/mapproxy.yaml:14:5 sources.s.seed_onyl: unknown key 'seed_onyl'"],
  );
});
