/**
 * loadConfig end to end: includes, positions through merges, defaults, path resolution,
 * staged errors and the helpers for later stages.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { ConfigErrors, configErrorAt, loadConfig } from './index.js';

async function writeFiles(t: TestContext, files: Record<string, string>): Promise<string> {
  const dir = await makeTempDir(t);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

/** The rendered problems of a failed load, relative to `dir`. */
async function loadErrors(file: string, dir: string): Promise<string[]> {
  try {
    await loadConfig(file, { env: {} });
  } catch (err) {
    if (err instanceof ConfigErrors) return err.errors.map((e) => `${e.code} ${e.format(dir)}`);
    throw err;
  }
  assert.fail('expected the configuration to be rejected');
}

const minimal = [
  'services:',
  '  wms:',
  'sources:',
  '  osm_wms:',
  '    type: wms',
  '    req:',
  '      url: http://example.org/wms',
  '      layers: osm',
  'caches:',
  '  osm_cache:',
  '    grids: [GLOBAL_WEBMERCATOR]',
  '    sources: [osm_wms]',
  'layers:',
  '  - name: osm',
  '    title: OSM',
  '    sources: [osm_cache]',
  '',
].join('\n');

test('applies MapProxy defaults and freezes the result', async (t) => {
  const dir = await writeFiles(t, { 'mapproxy.yaml': minimal });
  const loaded = await loadConfig(join(dir, 'mapproxy.yaml'), { env: {} });
  const { config } = loaded;
  assert.equal(config.globals.cache.base_dir, join(dir, 'cache_data'));
  assert.equal(config.globals.cache.lock_dir, join(dir, 'cache_data/tile_locks'));
  assert.deepEqual(config.globals.cache.meta_size, [4, 4]);
  assert.equal(config.globals.cache.meta_buffer, 80);
  assert.equal(config.globals.cache.concurrent_tile_creators, 2);
  assert.equal(config.globals.http.client_timeout, 60);
  assert.equal(config.globals.image.paletted, true);
  assert.equal(config.globals.tiles.expires_hours, 72);
  assert.deepEqual(config.globals.grid.tile_size, [256, 256]);
  const cache = config.caches.osm_cache;
  assert.ok(cache);
  assert.deepEqual(cache.meta_size, [4, 4]);
  assert.equal(cache.format, 'image/png');
  assert.deepEqual(cache.cache, { type: 'file', directory_layout: 'tc' });
  assert.equal(cache.cache_dir, join(dir, 'cache_data'));
  assert.deepEqual(config.services.wms?.srs, [
    'EPSG:4326',
    'EPSG:4258',
    'CRS:84',
    'EPSG:900913',
    'EPSG:3857',
  ]);
  assert.deepEqual(config.grids, {});
  assert.deepEqual(loaded.files, [join(dir, 'mapproxy.yaml')]);
  assert.deepEqual(loaded.warnings, []);
  assert.equal(Object.isFrozen(config.globals.cache.meta_size), true);
  assert.throws(() => {
    (config.caches as Record<string, unknown>).x = 1;
  }, TypeError);
});

test('a cache without grids defaults to GLOBAL_MERCATOR with MapProxy warning', async (t) => {
  const dir = await writeFiles(t, {
    'mapproxy.yaml': minimal.replace('    grids: [GLOBAL_WEBMERCATOR]\n', ''),
  });
  const loaded = await loadConfig(join(dir, 'mapproxy.yaml'), { env: {} });
  assert.deepEqual(loaded.config.caches.osm_cache?.grids, ['GLOBAL_MERCATOR']);
  assert.deepEqual(
    loaded.warnings.map((w) => [w.code, w.line, w.column, w.message]),
    [
      [
        'CONFIG_DEFAULT_GRID',
        10,
        3,
        'cache osm_cache does not have any grids. default will change from [GLOBAL_MERCATOR] to [GLOBAL_WEBMERCATOR] with MapProxy 2.0',
      ],
    ],
  );
});

test('grids: bbox strings become numbers, name defaults to the key', async (t) => {
  const dir = await writeFiles(t, {
    'mapproxy.yaml': `${minimal}grids:\n  utm32:\n    srs: 'EPSG:25832'\n    bbox: "4, 46.5,16,56"\n    bbox_srs: 'EPSG:4326'\n    origin: nw\n    res_factor: sqrt2\n`,
  });
  const { config } = await loadConfig(join(dir, 'mapproxy.yaml'), { env: {} });
  assert.deepEqual(config.grids.utm32, {
    name: 'utm32',
    srs: 'EPSG:25832',
    bbox: [4, 46.5, 16, 56],
    bbox_srs: 'EPSG:4326',
    origin: 'nw',
    res_factor: 'sqrt2',
  });
});

test('base includes: recursive, relative to the including file, earlier base wins', async (t) => {
  const dir = await writeFiles(t, {
    'etc/mapproxy.yaml': `base: [conf.d/a.yaml, conf.d/b.yaml]\n${minimal}globals:\n  cache:\n    meta_size: [2, 2]\n`,
    'etc/conf.d/a.yaml':
      'base: ../../shared/common.yaml\nglobals:\n  cache:\n    meta_buffer: 10\n    base_dir: from-a\n',
    'etc/conf.d/b.yaml':
      'globals:\n  cache:\n    meta_buffer: 20\n    meta_size: [3, 3]\n    base_dir: from-b\n',
    'shared/common.yaml': 'globals:\n  http:\n    client_timeout: 5\n  cache:\n    base_dir: from-common\n',
  });
  const main = join(dir, 'etc/mapproxy.yaml');
  const loaded = await loadConfig(main, { env: {} });
  const cache = loaded.config.globals.cache;
  assert.equal(cache.meta_buffer, 10);
  assert.deepEqual(cache.meta_size, [3, 3, 2, 2]);
  // relative paths resolve against the MAIN file's directory, not the base file's
  assert.equal(cache.base_dir, join(dir, 'etc/from-a'));
  assert.equal(loaded.config.globals.http.client_timeout, 5);
  assert.deepEqual(loaded.files, [
    main,
    join(dir, 'etc/conf.d/a.yaml'),
    join(dir, 'shared/common.yaml'),
    join(dir, 'etc/conf.d/b.yaml'),
  ]);
  assert.deepEqual(loaded.locate(['globals', 'cache', 'meta_buffer']), {
    file: join(dir, 'etc/conf.d/a.yaml'),
    line: 4,
    column: 18,
  });
  assert.deepEqual(loaded.locate(['globals', 'http', 'client_timeout']), {
    file: join(dir, 'shared/common.yaml'),
    line: 3,
    column: 21,
  });
  assert.equal(loaded.locate(['globals', 'cache', 'lock_dir']), undefined);
});

test('a missing base file names the including file, line and key', async (t) => {
  const dir = await writeFiles(t, {
    'mapproxy.yaml': `base:\n  - common.yaml\n  - missing.yaml\n${minimal}`,
    'common.yaml': 'base: [also-missing.yaml]\n',
  });
  assert.deepEqual(await loadErrors(join(dir, 'mapproxy.yaml'), dir), [
    `CONFIG_BASE_NOT_FOUND common.yaml:1:8 base[0]: base file "also-missing.yaml" not found (looked for ${join(dir, 'also-missing.yaml')})`,
    `CONFIG_BASE_NOT_FOUND mapproxy.yaml:3:5 base[1]: base file "missing.yaml" not found (looked for ${join(dir, 'missing.yaml')})`,
  ]);
});

test('include cycles are detected', async (t) => {
  const dir = await writeFiles(t, {
    'mapproxy.yaml': `base: a.yaml\n${minimal}`,
    'a.yaml': 'base: b.yaml\n',
    'b.yaml': 'base: [mapproxy.yaml]\n',
  });
  assert.deepEqual(await loadErrors(join(dir, 'mapproxy.yaml'), dir), [
    'CONFIG_BASE_CYCLE b.yaml:1:8 base[0]: base file "mapproxy.yaml" includes itself (cycle)',
  ]);
});

test('syntax errors of every file are collected', async (t) => {
  const dir = await writeFiles(t, {
    'mapproxy.yaml': `base: [a.yaml, b.yaml]\n${minimal}`,
    'a.yaml': 'globals:\n  cache: [1, 2\n',
    'b.yaml': '- not\n- a mapping\n',
  });
  const errors = await loadErrors(join(dir, 'mapproxy.yaml'), dir);
  assert.equal(errors.length, 2);
  assert.match(errors[0] ?? '', /^CONFIG_SYNTAX a\.yaml:\d+:\d+: YAML syntax error: /);
  assert.equal(errors[1], 'CONFIG_NOT_A_MAPPING b.yaml:1:1: configuration not a YAML dictionary');
});

/** Something like /proc/meminfo or a credentials file: YAML that is a mapping, but of no config keys. */
const foreign = 'db_password: hunter2\ndb_password: s3cret\nMemTotal: $HOME kB\n';

test('a base: file with none of the configuration keys is refused without repeating its content', async (t) => {
  const dir = await writeFiles(t, { 'mapproxy.yaml': `base: [secrets.txt]\n${minimal}`, 'secrets.txt': foreign });
  await assert.rejects(loadConfig(join(dir, 'mapproxy.yaml'), { env: {} }), (err: unknown) => {
    assert.ok(err instanceof ConfigErrors);
    assert.deepEqual(err.errors.map((e) => e.code), ['CONFIG_NOT_MAPPROXY']);
    assert.match(
      err.errors[0]?.format(dir) ?? '',
      /^mapproxy\.yaml:1:8 base\[0\]: base file "secrets\.txt" is not a MapProxy configuration \(it has none of the keys /,
    );
    assert.deepEqual(err.warnings, [], 'no duplicate-key or unset-variable warning about its lines');
    assert.doesNotMatch(`${err.message}\n${JSON.stringify(err.warnings)}`, /hunter2|s3cret|db_password|MemTotal|HOME/);
    return true;
  });
});

test('a main file with none of the configuration keys is refused at its first line', async (t) => {
  const dir = await writeFiles(t, { 'meminfo': foreign });
  assert.deepEqual(await loadErrors(join(dir, 'meminfo'), dir), [
    'CONFIG_NOT_MAPPROXY meminfo:1:1: not a MapProxy configuration (it has none of the keys globals, grids, caches, services, sources, layers, parts, base)',
  ]);
});

test('a base: file with one configuration key among unknown ones still loads, with warnings', async (t) => {
  const dir = await writeFiles(t, { 'mapproxy.yaml': `base: extra.yaml\n${minimal}`, 'extra.yaml': 'globals: {}\nextra_key: 1\n' });
  const loaded = await loadConfig(join(dir, 'mapproxy.yaml'), { env: {} });
  assert.deepEqual(loaded.warnings.map((w) => w.code), ['CONFIG_UNKNOWN_KEY']);
});

test('a missing main file is a clear error', async (t) => {
  const dir = await makeTempDir(t);
  await assert.rejects(loadConfig(join(dir, 'nope.yaml')), (err: unknown) => {
    assert.ok(err instanceof ConfigErrors);
    assert.equal(err.errors[0]?.code, 'CONFIG_FILE_NOT_FOUND');
    assert.match(err.message, /nope\.yaml: file not found$/);
    return true;
  });
});

test('schema stage collects every type and required-key error, unknown keys only warn', async (t) => {
  const dir = await writeFiles(t, {
    'mapproxy.yaml': [
      'globals:',
      '  cache:',
      '    meta_sise: [2, 2]',
      '    meta_buffer: lots',
      '    concurrent_tile_creators: 2.5',
      'sources:',
      '  a:',
      '    type: wms',
      '    req: {layers: x}',
      '  b:',
      '    url: http://x',
      '  c:',
      '    type: wmts',
      '  d:',
      '    type: tile',
      'caches:',
      '  c1:',
      '    grids: GLOBAL_MERCATOR',
      'layers:',
      '  - name: x',
      '',
    ].join('\n'),
  });
  try {
    await loadConfig(join(dir, 'mapproxy.yaml'), { env: {} });
    assert.fail('expected errors');
  } catch (err) {
    assert.ok(err instanceof ConfigErrors);
    assert.deepEqual(
      err.errors.map((e) => `${e.code} ${e.format(dir)}`),
      [
        'CONFIG_TYPE mapproxy.yaml:4:18 globals.cache.meta_buffer: expected a number, got "lots"',
        'CONFIG_TYPE mapproxy.yaml:5:31 globals.cache.concurrent_tile_creators: expected an integer, got 2.5',
        "CONFIG_MISSING_KEY mapproxy.yaml:9:10 sources.a.req: missing required key 'url'",
        "CONFIG_MISSING_KEY mapproxy.yaml:11:5 sources.b: missing required key 'type'",
        'CONFIG_UNKNOWN_TYPE mapproxy.yaml:13:11 sources.c.type: unknown type "wmts" (did you mean \'wms\'?) (known: wms, mapserver, tile, mapnik, arcgis, ogcapitiles, ogcapimaps, debug)',
        "CONFIG_MISSING_KEY mapproxy.yaml:15:5 sources.d: missing required key 'url'",
        "CONFIG_MISSING_KEY mapproxy.yaml:18:5 caches.c1: missing required key 'sources'",
        'CONFIG_TYPE mapproxy.yaml:18:12 caches.c1.grids: expected a list of strings, got "GLOBAL_MERCATOR"',
        "CONFIG_MISSING_KEY mapproxy.yaml:20:5 layers[0]: missing required key 'title'",
      ],
    );
    assert.deepEqual(
      err.warnings.map((w) => `${w.code} ${w.line}:${w.column} ${w.path.join('.')} ${w.message}`),
      ["CONFIG_UNKNOWN_KEY 3:5 globals.cache.meta_sise unknown key 'meta_sise' (did you mean 'meta_size'?)"],
    );
  }
});

test('reference stage: grids, sources, caches, tagged names, tile_sources, grid base', async (t) => {
  const dir = await writeFiles(t, {
    'mapproxy.yaml': [
      'services: {wms: }',
      'grids:',
      '  utm32: {srs: "EPSG:25832", bbox: [0, 0, 1, 1], origin: nw}',
      '  child: {base: utm3, origin: nw}',
      'sources:',
      '  wms1: {type: wms, req: {url: "http://x", layers: "roads,rails"}}',
      '  tiles: {type: tile, url: "http://x/%(z)s", grid: webmerc}',
      'caches:',
      '  c1:',
      '    grids: [GLOBAL_WEBMERCATOR, webmerc]',
      '    sources: [wms1, "wms1:rails,water", tiles, nothere]',
      '  c2: {sources: ["tiles:a"], grids: [utm32]}',
      'layers:',
      '  - name: l1',
      '    title: L1',
      '    sources: [c1, wms1x, tiles]',
      '    tile_sources: [wms1]',
      '',
    ].join('\n'),
  });
  assert.deepEqual(await loadErrors(join(dir, 'mapproxy.yaml'), dir), [
    'CONFIG_UNKNOWN_REF mapproxy.yaml:4:17 grids.child.base: unknown grid "utm3" (did you mean \'utm32\'?) (known: GLOBAL_GEODETIC, GLOBAL_MERCATOR, GLOBAL_WEBMERCATOR, child, utm32)',
    'CONFIG_UNKNOWN_REF mapproxy.yaml:7:52 sources.tiles.grid: unknown grid "webmerc" (known: GLOBAL_GEODETIC, GLOBAL_MERCATOR, GLOBAL_WEBMERCATOR, child, utm32)',
    'CONFIG_UNKNOWN_REF mapproxy.yaml:10:33 caches.c1.grids[1]: unknown grid "webmerc" (known: GLOBAL_GEODETIC, GLOBAL_MERCATOR, GLOBAL_WEBMERCATOR, child, utm32)',
    'CONFIG_INVALID_VALUE mapproxy.yaml:11:21 caches.c1.sources[1]: layers "water" not supported by source "wms1" (its layers: roads, rails)',
    'CONFIG_UNKNOWN_REF mapproxy.yaml:11:48 caches.c1.sources[3]: unknown source or cache "nothere" (known sources: tiles, wms1; caches: c1, c2)',
    'CONFIG_INVALID_VALUE mapproxy.yaml:12:18 caches.c2.sources[0]: tagged source "tiles:a" in cache: tagged sources are only supported for wms, mapserver and mapnik sources, "tiles" is tile',
    'CONFIG_UNKNOWN_REF mapproxy.yaml:16:19 layers[0].sources[1]: unknown source or cache "wms1x" (did you mean \'wms1\'?) (known sources: tiles, wms1; caches: c1, c2)',
    // MapProxy 1.15 (load_configuration by hand): the same ConfigurationError
    'CONFIG_INVALID_VALUE mapproxy.yaml:16:26 layers[0].sources[2]: source "tiles" of layer "l1" does not support un-tiled access',
    'CONFIG_UNKNOWN_REF mapproxy.yaml:17:20 layers[0].tile_sources[0]: unknown cache "wms1" (tile_sources must be caches; known: c1, c2)',
  ]);
});

test('reference stage: cache cycles and grid base cycles', async (t) => {
  const dir = await writeFiles(t, {
    'mapproxy.yaml': [
      'grids:',
      '  a: {base: b, origin: nw}',
      '  b: {base: a}',
      'sources: {}',
      'caches:',
      '  x: {sources: [y]}',
      '  y: {sources: [x]}',
      '',
    ].join('\n'),
  });
  assert.deepEqual(await loadErrors(join(dir, 'mapproxy.yaml'), dir), [
    'CONFIG_REF_CYCLE mapproxy.yaml:2:13 grids.a.base: grid base cycle: a -> b -> a',
    'CONFIG_REF_CYCLE mapproxy.yaml:3:13 grids.b.base: grid base cycle: b -> a -> b',
    'CONFIG_REF_CYCLE mapproxy.yaml:6:16 caches.x.sources: cache source cycle: x -> y -> x',
  ]);
});

test('environment variables are expanded in every file; unset ones warn once', async (t) => {
  const dir = await writeFiles(t, {
    'mapproxy.yaml': `base: common.yaml\n${minimal.replace('http://example.org/wms', 'http://${UPSTREAM}/wms?key=$KEY')}`,
    'common.yaml': 'globals:\n  cache:\n    base_dir: $CACHE_ROOT/tiles\n',
  });
  const loaded = await loadConfig(join(dir, 'mapproxy.yaml'), {
    env: { UPSTREAM: 'tiles.example.org', CACHE_ROOT: '/srv' },
  });
  const source = loaded.config.sources.osm_wms;
  assert.equal(source?.type === 'wms' ? source.req.url : undefined, 'http://tiles.example.org/wms?key=$KEY');
  assert.equal(loaded.config.globals.cache.base_dir, '/srv/tiles');
  assert.deepEqual(
    loaded.warnings.map((w) => [w.code, w.line, w.path.join('.')]),
    [['CONFIG_ENV_UNSET', 8, 'sources.osm_wms.req.url']],
  );
});

test('paths: cache dirs, mbtiles file names and coverage files resolve against the main file', async (t) => {
  const dir = await writeFiles(t, {
    'conf/mapproxy.yaml': [
      'base: ../other/base.yaml',
      'globals:',
      '  cache:',
      '    base_dir: /abs/cache',
      '    tile_lock_dir: locks',
      'sources:',
      '  s:',
      '    type: wms',
      '    req: {url: "http://x", layers: a}',
      '    coverage: {datasource: shapes/area.geojson, srs: "EPSG:4326"}',
      '  t:',
      '    type: wms',
      '    req: {url: "http://x", layers: a}',
      '    coverage: {datasource: "PG: dbname=gis", where: "x", srs: "EPSG:4326"}',
      'caches:',
      '  file1: {sources: [s], grids: [GLOBAL_MERCATOR], cache_dir: ./mine, cache: {type: file, directory: tiles/here}}',
      '  mb1: {sources: [s], grids: [GLOBAL_MERCATOR], cache: {type: mbtiles, filename: ./x.mbtiles}}',
      '  mb2: {sources: [s], grids: [GLOBAL_MERCATOR], cache: {type: mbtiles, filename: y.mbtiles}}',
      '  s3: {sources: [s], grids: [GLOBAL_MERCATOR], cache: {type: s3, directory: tiles/prefix}}',
      '',
    ].join('\n'),
    'other/base.yaml': 'globals:\n  cache:\n    lock_dir: rel-locks\n',
  });
  const { config, warnings } = await loadConfig(join(dir, 'conf/mapproxy.yaml'), { env: {} });
  const conf = join(dir, 'conf');
  assert.deepEqual(
    warnings.map((w) => `${w.code} ${w.line}:${w.column} ${w.message}`),
    [
      'CONFIG_MISSING_SECTION 1:1 missing layers section',
      'CONFIG_MISSING_SECTION 1:1 missing services section',
      'CONFIG_IGNORED_KEY 16:51 found cache.directory and cache_dir option for file1, ignoring cache_dir',
    ],
  );
  assert.equal(config.globals.cache.lock_dir, join(conf, 'rel-locks'));
  assert.equal(config.globals.cache.tile_lock_dir, join(conf, 'locks'));
  assert.equal(config.caches.file1?.cache_dir, join(conf, 'mine'));
  assert.equal(config.caches.file1.cache.directory, join(conf, 'tiles/here'));
  assert.equal(config.caches.mb1?.cache.filename, join(conf, 'x.mbtiles'));
  assert.equal(config.caches.mb2?.cache.filename, '/abs/cache/y.mbtiles');
  assert.equal(config.caches.s3?.cache.directory, 'tiles/prefix');
  const s = config.sources.s;
  assert.equal(s?.type === 'wms' ? s.coverage?.datasource : undefined, join(conf, 'shapes/area.geojson'));
  const tSource = config.sources.t;
  assert.equal(tSource?.type === 'wms' ? tSource.coverage?.datasource : undefined, 'PG: dbname=gis');
});

test('configErrorAt positions a later-stage problem at its config node', async (t) => {
  const dir = await writeFiles(t, {
    'mapproxy.yaml': `${minimal}grids:\n  bad:\n    srs: 'EPSG:99999'\n    origin: nw\n`,
  });
  const loaded = await loadConfig(join(dir, 'mapproxy.yaml'), { env: {} });
  const error = configErrorAt(loaded, ['grids', 'bad', 'srs'], 'unknown SRS "EPSG:99999"');
  assert.equal(error.code, 'CONFIG_INVALID_VALUE');
  assert.equal(error.format(dir), 'mapproxy.yaml:19:10 grids.bad.srs: unknown SRS "EPSG:99999"');
  const missing = configErrorAt(loaded, ['grids', 'bad', 'bbox'], 'need a bbox for grid with EPSG:99999');
  assert.equal(
    missing.format(dir),
    'mapproxy.yaml:19:5 grids.bad.bbox: need a bbox for grid with EPSG:99999',
  );
});

test('gridsOnly: broken layer references only warn, broken grid references stay fatal', async (t) => {
  const dir = await writeFiles(t, {
    'mapproxy.yaml': [
      'layers:',
      '  - name: roads',
      '    title: Roads',
      '    sources: [missing_cache]',
      'grids:',
      '  utm:',
      '    base: GLOBAL_WEBMERCATOR',
      '',
    ].join('\n'),
    'broken-grid.yaml': ['grids:', '  utm:', '    base: nowhere', ''].join('\n'),
  });
  const file = join(dir, 'mapproxy.yaml');
  await assert.rejects(loadConfig(file), { code: 'CONFIG_INVALID' });
  const loaded = await loadConfig(file, { gridsOnly: true });
  const ignored = loaded.warnings.filter((w) => w.code === 'CONFIG_REF_IGNORED');
  assert.deepEqual(
    ignored.map((w) => [w.line, w.path.join('.')]),
    [[4, 'layers.0.sources.0']],
  );
  assert.deepEqual(Object.keys(loaded.config.grids), ['utm']);
  await assert.rejects(loadConfig(join(dir, 'broken-grid.yaml'), { gridsOnly: true }), (err: unknown) => {
    assert.ok(err instanceof ConfigErrors);
    assert.match(
      err.errors.map((e) => e.format(dir)).join('\n'),
      /^broken-grid\.yaml:3:11 grids\.utm\.base: .*"nowhere"/,
    );
    return true;
  });
});
