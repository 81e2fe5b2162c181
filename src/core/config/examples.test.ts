/**
 * Example configurations in the style of MapProxy's docs (our own, in test/fixtures/config/examples)
 * load, with the warnings MapProxy itself prints for them (checked with MapProxy 1.15).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES_DIR } from '../../../test/helpers/fixtures.js';
import { ConfigErrors, loadConfig, loadSeedConfig, type ConfigWarning } from './index.js';

const EXAMPLES = join(FIXTURES_DIR, 'config/examples');

const summary = (warnings: readonly ConfigWarning[]): string[] =>
  warnings.map((w) => `${w.code} ${w.path.join('.')}: ${w.message}`);

const proxyExamples: [string, string[]][] = [
  ['wms-cache.yaml', []],
  ['merged-meta-cache.yaml', []],
  ['direct-layer.yaml', []],
  [
    // MapProxy: "grid saxony does not have an origin. default origin will change ..."
    'grid-no-origin.yaml',
    [
      'CONFIG_DEFAULT_ORIGIN grids.saxony: grid saxony does not have an origin. default origin will change from sw (south/west) to nw (north-west) with MapProxy 2.0',
    ],
  ],
  [
    // a template's ${server} and $layer placeholders are filled from the environment
    'env-placeholders.yaml',
    [
      'CONFIG_ENV_UNSET sources.upstream_wms.req.url: environment variable "server" is not set; "http://${server}/service?" is kept as written',
      'CONFIG_ENV_UNSET sources.upstream_wms.req.layers: environment variable "layer" is not set; "$layer" is kept as written',
    ],
  ],
];

for (const [name, expected] of proxyExamples) {
  test(`example ${name} loads`, async () => {
    const loaded = await loadConfig(join(EXAMPLES, name), { env: {} });
    assert.deepEqual(summary(loaded.warnings), expected);
    assert.ok(loaded.config.layers.length > 0);
  });
}

test('env-placeholders.yaml expands its placeholders when they are set', async () => {
  const loaded = await loadConfig(join(EXAMPLES, 'env-placeholders.yaml'), {
    env: { server: 'wms.example.org', layer: 'osm' },
  });
  assert.deepEqual(loaded.warnings, []);
  assert.deepEqual(loaded.config.sources.upstream_wms, {
    type: 'wms',
    req: { url: 'http://wms.example.org/service?', layers: 'osm' },
  });
});

/**
 * These two are documentation snippets, not runnable configs: MapProxy itself warns and then
 * fails building them on the same dangling layer source, which is fatal here.
 */
const snippetExamples: [string, string[], string[]][] = [
  [
    'snippet-unknown-key.yaml',
    ["CONFIG_UNKNOWN_KEY globals.background: unknown key 'background'"],
    ['layers[1].sources[0]: unknown source or cache "mixed_cache"'],
  ],
  [
    'snippet-duplicate-keys.yaml',
    [
      'CONFIG_DUPLICATE_KEY services: duplicate key "services"; the last one wins',
      'CONFIG_DUPLICATE_KEY sources: duplicate key "sources"; the last one wins',
      'CONFIG_DUPLICATE_KEY caches: duplicate key "caches"; the last one wins',
      'CONFIG_DUPLICATE_KEY layers: duplicate key "layers"; the last one wins',
    ],
    ['layers[0].sources[0]: unknown source or cache "combined_cache"'],
  ],
];

for (const [name, warnings, errors] of snippetExamples) {
  test(`snippet ${name} passes syntax and schema and fails only on its dangling reference, as in MapProxy`, async () => {
    await assert.rejects(loadConfig(join(EXAMPLES, name), { env: {} }), (err: unknown) => {
      assert.ok(err instanceof ConfigErrors);
      assert.deepEqual(summary(err.warnings), warnings);
      assert.deepEqual(
        err.errors.map((e) =>
          e
            .format()
            .split(' ')
            .slice(1)
            .join(' ')
            .replace(/ \(.*$/, ''),
        ),
        errors,
      );
      assert.ok(err.errors.every((e) => e.code === 'CONFIG_UNKNOWN_REF'));
      return true;
    });
  });
}

const seedExamples: [string, string][] = [
  ['seed-polygons.yaml', join(EXAMPLES, 'wms-cache.yaml')],
  ['seed-small.yaml', join(FIXTURES_DIR, 'config/seed-example-proxy.yaml')],
  ['seed-full.yaml', join(FIXTURES_DIR, 'config/seed-example-proxy.yaml')],
];

for (const [name, proxyFile] of seedExamples) {
  test(`seed example ${name} loads`, async () => {
    const loaded = await loadConfig(proxyFile, { env: {} });
    const seed = await loadSeedConfig(join(EXAMPLES, name), loaded, { env: {} });
    assert.deepEqual(seed.warnings, []);
    assert.ok(Object.keys(seed.config.seeds).length > 0);
  });
}

test('seed example paths resolve against the mapproxy.yaml directory', async () => {
  const proxyFile = join(FIXTURES_DIR, 'config/seed-example-proxy.yaml');
  const loaded = await loadConfig(proxyFile, { env: {} });
  const seed = await loadSeedConfig(join(EXAMPLES, 'seed-full.yaml'), loaded, { env: {} });
  const configDir = join(FIXTURES_DIR, 'config');
  assert.equal(seed.config.seeds.geodetic_seed?.refresh_before?.mtime, join(configDir, 'reseed.time'));
  assert.equal(seed.config.coverages.lake?.datasource, join(configDir, 'polygons/lake.txt'));
  assert.equal(
    seed.config.coverages.edits?.datasource,
    "PG: dbname='gis' host='db.example.com' user='reader' password='secret'",
  );
  assert.deepEqual(seed.config.cleanups.drop_levels?.grids, ['GLOBAL_MERCATOR', 'GLOBAL_GEODETIC']);
});
