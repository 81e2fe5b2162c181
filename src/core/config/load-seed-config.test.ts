/**
 * loadSeedConfig: schema, references against the proxy config, defaults and paths.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES_DIR, makeTempDir } from '../../../test/helpers/fixtures.js';
import { ConfigErrors, loadConfig, loadSeedConfig } from './index.js';

const fixture = (name: string): string => join(FIXTURES_DIR, 'config', name);

async function seedErrors(seedFile: string): Promise<string[]> {
  const loaded = await loadConfig(fixture('valid.yaml'), { env: {} });
  try {
    await loadSeedConfig(seedFile, loaded, { env: {} });
  } catch (err) {
    if (err instanceof ConfigErrors)
      return err.errors.map((e) => `${e.code} ${e.format(join(FIXTURES_DIR, 'config'))}`);
    throw err;
  }
  assert.fail('expected the seed configuration to be rejected');
}

test('loads seeds, cleanups and coverages with grid defaults and absolute paths', async () => {
  const loaded = await loadConfig(fixture('valid.yaml'), { env: {} });
  const seed = await loadSeedConfig(fixture('seed-valid.yaml'), loaded, { env: {} });
  assert.deepEqual(seed.config.seeds.all, {
    caches: ['osm_cache', 'roads_cache'],
    levels: { to: 10 },
    coverages: ['germany'],
    grids: ['GLOBAL_WEBMERCATOR', 'utm32'],
  });
  assert.deepEqual(seed.config.cleanups.old?.remove_before, { days: 30, mtime: fixture('stamp.txt') });
  assert.deepEqual(seed.config.coverages.germany, { bbox: [5.5, 47.2, 15.2, 55.1], srs: 'EPSG:4326' });
  assert.deepEqual(seed.warnings, []);
  assert.equal(seed.locate(['seeds', 'all', 'levels', 'to'])?.line, 9);
});

test('schema errors of a seed file are collected', async () => {
  assert.deepEqual(await seedErrors(fixture('seed-broken.yaml')), [
    'CONFIG_TYPE seed-broken.yaml:4:13 seeds.all.levels: expected a list of integers or a mapping, got "many"',
  ]);
});

test('seed tasks must name existing caches, grids of those caches and coverages', async () => {
  assert.deepEqual(await seedErrors(fixture('seed-bad-refs.yaml')), [
    'CONFIG_UNKNOWN_REF seed-bad-refs.yaml:3:25 seeds.all.caches[1]: unknown cache "rods_cache" (did you mean \'roads_cache\'?) (known: osm_cache, roads_cache)',
    'CONFIG_UNKNOWN_REF seed-bad-refs.yaml:4:17 seeds.all.coverages[0]: unknown coverage "germani" (did you mean \'germany\'?) (known: germany)',
    'CONFIG_UNKNOWN_REF seed-bad-refs.yaml:8:13 cleanups.old.grids[0]: grid "GLOBAL_MERCATOR" is not defined for cache osm_cache',
  ]);
});

test('caches of one task need identical grids unless grids are given', async (t) => {
  const dir = await makeTempDir(t);
  await writeFile(
    join(dir, 'mapproxy.yaml'),
    'sources: {s: {type: debug}}\ncaches:\n  a: {sources: [s], grids: [GLOBAL_MERCATOR]}\n  b: {sources: [s], grids: [GLOBAL_GEODETIC]}\n  c: {sources: [s], grids: [GLOBAL_MERCATOR], disable_storage: true}\n',
  );
  await writeFile(join(dir, 'seed.yaml'), 'seeds:\n  t1: {caches: [a, b]}\n  t2: {caches: [c]}\n');
  const loaded = await loadConfig(join(dir, 'mapproxy.yaml'), { env: {} });
  await assert.rejects(loadSeedConfig(join(dir, 'seed.yaml'), loaded), (err: unknown) => {
    assert.ok(err instanceof ConfigErrors);
    assert.deepEqual(
      err.errors.map((e) => e.format(dir)),
      [
        'seed.yaml:2:16 seeds.t1.caches: caches in same seed task require identical grids',
        "seed.yaml:3:17 seeds.t2.caches[0]: can't seed cache c (disable_storage: true)",
      ],
    );
    return true;
  });
});

test('the old seed format with views is rejected with a clear message', async (t) => {
  const dir = await makeTempDir(t);
  await writeFile(
    join(dir, 'seed.yaml'),
    'seeds:\n  osm_cache:\n    views: [germany]\nviews:\n  germany:\n    level: [0, 5]\n',
  );
  const loaded = await loadConfig(fixture('valid.yaml'), { env: {} });
  await assert.rejects(loadSeedConfig(join(dir, 'seed.yaml'), loaded), { code: 'CONFIG_INVALID' });
  await assert.rejects(loadSeedConfig(join(dir, 'seed.yaml'), loaded), (err: unknown) => {
    return (
      err instanceof ConfigErrors && err.errors[0]?.code === 'CONFIG_SEED_LEGACY' && err.errors[0].line === 4
    );
  });
});
