/**
 * Every example configuration shipped with MapProxy's docs (../shared/reference/mapproxy-docs)
 * loads, with the warnings MapProxy itself prints for it (checked with MapProxy 1.15).
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES_DIR } from '../../../test/helpers/fixtures.js';
import { ConfigErrors, loadConfig, loadSeedConfig, type ConfigWarning } from './index.js';

const DOCS = fileURLToPath(new URL('../../../../shared/reference/mapproxy-docs/', import.meta.url));

const summary = (warnings: readonly ConfigWarning[]): string[] =>
  warnings.map((w) => `${w.code} ${w.path.join('.')}: ${w.message}`);

const proxyExamples: [string, string[]][] = [
  ['yaml/cache_conf.yaml', []],
  ['yaml/merged_conf.yaml', []],
  ['yaml/meta_conf.yaml', []],
  ['yaml/simple_conf.yaml', []],
  [
    // MapProxy: "grid germany does not have an origin. default origin will change ..."
    'yaml/grid_conf.yaml',
    [
      'CONFIG_DEFAULT_ORIGIN grids.germany: grid germany does not have an origin. default origin will change from sw (south/west) to nw (north-west) with MapProxy 2.0',
    ],
  ],
  [
    // the template's ${server} and $layer placeholders are filled by `create -t base-config` users
    'template-mapproxy.yaml',
    [
      'CONFIG_ENV_UNSET sources.osm_wms.req.url: environment variable "server" is not set; "http://${server}/service?" is kept as written',
      'CONFIG_ENV_UNSET sources.osm_wms.req.layers: environment variable "layer" is not set; "$layer" is kept as written',
    ],
  ],
];

for (const [name, expected] of proxyExamples) {
  test(`MapProxy example ${name} loads`, async () => {
    const loaded = await loadConfig(join(DOCS, name), { env: {} });
    assert.deepEqual(summary(loaded.warnings), expected);
    assert.ok(loaded.config.layers.length > 0);
  });
}

test('template-mapproxy.yaml expands its placeholders when they are set', async () => {
  const loaded = await loadConfig(join(DOCS, 'template-mapproxy.yaml'), {
    env: { server: 'wms.example.org', layer: 'osm' },
  });
  assert.deepEqual(loaded.warnings, []);
  assert.deepEqual(loaded.config.sources.osm_wms, {
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
    'template-full_example.yaml',
    ["CONFIG_UNKNOWN_KEY globals.background: unknown key 'background'"],
    ['layers[9].sources[0]: unknown source or cache "mixed_cache"'],
  ],
  [
    'tutorial.yaml',
    [
      'CONFIG_DUPLICATE_KEY services: duplicate key "services"; the last one wins',
      'CONFIG_DUPLICATE_KEY sources: duplicate key "sources"; the last one wins',
      'CONFIG_DUPLICATE_KEY caches: duplicate key "caches"; the last one wins',
      'CONFIG_DUPLICATE_KEY layers: duplicate key "layers"; the last one wins',
      'CONFIG_DUPLICATE_KEY sources: duplicate key "sources"; the last one wins',
      'CONFIG_DUPLICATE_KEY caches: duplicate key "caches"; the last one wins',
    ],
    ['layers[0].sources[0]: unknown source or cache "combined_cache"'],
  ],
];

for (const [name, warnings, errors] of snippetExamples) {
  test(`MapProxy snippet ${name} passes syntax and schema and fails only on MapProxy's own dangling reference`, async () => {
    await assert.rejects(loadConfig(join(DOCS, name), { env: {} }), (err: unknown) => {
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
  ['yaml/seed.yaml', join(DOCS, 'yaml/cache_conf.yaml')],
  ['template-seed.yaml', join(FIXTURES_DIR, 'config/seed-example-proxy.yaml')],
  ['template-full_seed_example.yaml', join(FIXTURES_DIR, 'config/seed-example-proxy.yaml')],
];

for (const [name, proxyFile] of seedExamples) {
  test(`MapProxy seed example ${name} loads`, async () => {
    const loaded = await loadConfig(proxyFile, { env: {} });
    const seed = await loadSeedConfig(join(DOCS, name), loaded, { env: {} });
    assert.deepEqual(seed.warnings, []);
    assert.ok(Object.keys(seed.config.seeds).length > 0);
  });
}

test('seed example paths resolve against the mapproxy.yaml directory', async () => {
  const proxyFile = join(FIXTURES_DIR, 'config/seed-example-proxy.yaml');
  const loaded = await loadConfig(proxyFile, { env: {} });
  const seed = await loadSeedConfig(join(DOCS, 'template-full_seed_example.yaml'), loaded, { env: {} });
  const configDir = join(FIXTURES_DIR, 'config');
  assert.equal(seed.config.seeds.myseed2?.refresh_before?.mtime, join(configDir, 'reseed.time'));
  assert.equal(seed.config.coverages.switzerland?.datasource, join(configDir, 'polygons/SZ.txt'));
  assert.equal(
    seed.config.coverages.changed_area?.datasource,
    "PG: dbname='db' host='host' user='user' password='password'",
  );
  assert.deepEqual(seed.config.cleanups.remove_complete_levels?.grids, [
    'GLOBAL_MERCATOR',
    'GLOBAL_GEODETIC',
  ]);
});
