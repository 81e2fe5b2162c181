/**
 * `mapproxy-util export` end to end: a file cache with levels 0-1 exported into every `--type`,
 * each destination laid out as MapProxy 1.15's export wrote it on the same configuration (paths and
 * SQLite rows pinned below), tiles copied byte for byte and nothing fetched; `--fetch-missing-tiles`
 * fetches level 2; coverage, levels and the refusals.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { runExport, SeedError } from '../../src/core/index.js';
import { copyFixture } from '../helpers/fixtures.js';
import { solidPng, startUpstream, type Upstream } from '../helpers/upstream.js';

/** What mapproxy-util export 1.15 wrote for `--levels 0..2` (level 2 is not cached: not written). */
const MAPPROXY_FILES: Readonly<Record<string, readonly string[]>> = {
  tms: ['0/0/0.png', '1/0/0.png', '1/0/1.png', '1/1/0.png', '1/1/1.png'],
  tc: [
    '00/000/000/000/000/000/000.png',
    '01/000/000/000/000/000/000.png',
    '01/000/000/000/000/000/001.png',
    '01/000/000/001/000/000/000.png',
    '01/000/000/001/000/000/001.png',
  ],
  arcgis: [
    'L00/R00000000/C00000000.png',
    'L01/R00000000/C00000000.png',
    'L01/R00000000/C00000001.png',
    'L01/R00000001/C00000000.png',
    'L01/R00000001/C00000001.png',
  ],
  // MapProxy also leaves its flock files R0000C0000.lck next to the bundles
  'compact-v1': [
    'L00/R0000C0000.bundle',
    'L00/R0000C0000.bundlx',
    'L01/R0000C0000.bundle',
    'L01/R0000C0000.bundlx',
  ],
  'compact-v2': ['L00/R0000C0000.bundle', 'L01/R0000C0000.bundle'],
};
/** Rows (z|x|y) of the mbtile, geopackage (table export_GLOBAL_WEBMERCATOR) and sqlite exports. */
const MAPPROXY_ROWS = ['0|0|0', '1|0|0', '1|0|1', '1|1|0', '1|1|1'];

/** The source cache's tiles (tc layout under cache_data/osm_cache_EPSG3857), distinct bytes each. */
const SOURCE_TILES: readonly (readonly [number, number, number])[] = [
  [0, 0, 0],
  [1, 0, 0],
  [1, 0, 1],
  [1, 1, 0],
  [1, 1, 1],
];

interface Setup {
  readonly configFile: string;
  readonly dir: string;
  readonly upstream: Upstream;
  /** Source tile bytes by `z/x/y`. */
  readonly tiles: Map<string, Buffer>;
}

async function setup(t: TestContext): Promise<Setup> {
  const upstream = await startUpstream(t);
  const configFile = await copyFixture(t, 'export/mapproxy.yaml', { UPSTREAM_URL: upstream.url });
  const dir = dirname(configFile);
  const tiles = new Map<string, Buffer>();
  for (const [i, [z, x, y]] of SOURCE_TILES.entries()) {
    const pad = (n: number): string => String(n).padStart(3, '0');
    const file = join(
      dir,
      'cache_data/osm_cache_EPSG3857',
      String(z).padStart(2, '0'),
      '000/000',
      pad(x),
      '000/000',
      `${pad(y)}.png`,
    );
    await mkdir(dirname(file), { recursive: true });
    const data = await solidPng([10 * i, 200, 30]);
    await writeFile(file, data);
    tiles.set(`${String(z)}/${String(x)}/${String(y)}`, data);
  }
  return { configFile, dir, upstream, tiles };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !/\.(lck|lock)$/.test(e.name))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

function rows(file: string, table: string): { key: string; data: Buffer }[] {
  const db = new Database(file, { readonly: true });
  try {
    return (
      db
        .prepare(
          `SELECT zoom_level z, tile_column x, tile_row y, tile_data d FROM [${table}] ORDER BY 1, 2, 3`,
        )
        .all() as {
        z: number;
        x: number;
        y: number;
        d: Buffer;
      }[]
    ).map((r) => ({ key: `${String(r.z)}|${String(r.x)}|${String(r.y)}`, data: r.d }));
  } finally {
    db.close();
  }
}

for (const type of Object.keys(MAPPROXY_FILES)) {
  test(`--type ${type} lays the cached tiles out as MapProxy's export and fetches nothing`, async (t) => {
    const { configFile, dir, tiles } = await setup(t);
    const result = await runExport({
      proxyConfigFile: configFile,
      grid: 'GLOBAL_WEBMERCATOR',
      source: 'osm_cache',
      dest: 'out',
      type,
      levels: '0..2',
      cwd: dir,
    });
    assert.equal(result.stats.failures.length, 0);
    assert.deepEqual(await filesUnder(join(dir, 'out')), MAPPROXY_FILES[type]);
    if (type === 'tms') {
      for (const [key, data] of tiles)
        assert.ok(data.equals(await readFile(join(dir, 'out', `${key}.png`))), key);
    }
  });
}

for (const [type, file, table] of [
  ['mbtile', 'out.mbtiles', 'tiles'],
  ['geopackage', 'out.gpkg', 'export_GLOBAL_WEBMERCATOR'],
] as const) {
  test(`--type ${type} writes MapProxy's rows with the source's bytes`, async (t) => {
    const { configFile, dir, tiles } = await setup(t);
    await runExport({
      proxyConfigFile: configFile,
      grid: 'GLOBAL_WEBMERCATOR',
      source: 'osm_cache',
      dest: file,
      type,
      levels: '0..2',
      cwd: dir,
    });
    const written = rows(join(dir, file), table);
    assert.deepEqual(
      written.map((r) => r.key),
      MAPPROXY_ROWS,
    );
    // GLOBAL_WEBMERCATOR's origin is south-west: rows keep the cache's own y
    for (const { key, data } of written) assert.ok(tiles.get(key.replaceAll('|', '/'))?.equals(data), key);
  });
}

test('--type sqlite writes one level file per level under <dest>/<grid>', async (t) => {
  const { configFile, dir } = await setup(t);
  await runExport({
    proxyConfigFile: configFile,
    grid: 'GLOBAL_WEBMERCATOR',
    source: 'osm_cache',
    dest: 'out',
    type: 'sqlite',
    levels: '0..1',
    cwd: dir,
  });
  const levelRows = [0, 1].flatMap((z) =>
    rows(join(dir, `out/GLOBAL_WEBMERCATOR/${String(z)}.mbtile`), 'tiles').map((r) => r.key),
  );
  assert.deepEqual(levelRows, MAPPROXY_ROWS);
});

test('--fetch-missing-tiles fetches the level the source cache lacks; --coverage limits the export', async (t) => {
  const { configFile, dir, upstream } = await setup(t);
  for (const path of ['/tiles/2/1/2.png', '/tiles/2/1/1.png', '/tiles/2/2/2.png', '/tiles/2/2/1.png'])
    upstream.expect(path, await solidPng([1, 2, 3]));
  const result = await runExport({
    proxyConfigFile: configFile,
    grid: 'GLOBAL_WEBMERCATOR',
    source: 'osm_cache',
    dest: 'out',
    levels: '2',
    fetchMissingTiles: true,
    coverage: '-10,-10,10,10',
    srs: '4326',
    cwd: dir,
  });
  assert.match(
    result.summary,
    /^Exporting cache 'cache' to 'out' with grid 'GLOBAL_WEBMERCATOR' in EPSG:3857\n {2}Limited to: -10\.00000, -10\.00000, 10\.00000, 10\.00000 \(EPSG:4326\)\n {2}Levels: \[2\]$/,
  );
  assert.deepEqual(await filesUnder(join(dir, 'out')), ['2/1/1.png', '2/1/2.png', '2/2/1.png', '2/2/2.png']);
});

test('refuses an existing destination without --force, unknown types and levels the grid lacks', async (t) => {
  const { configFile, dir } = await setup(t);
  const base = {
    proxyConfigFile: configFile,
    grid: 'GLOBAL_WEBMERCATOR',
    source: 'osm_cache',
    levels: '0',
    cwd: dir,
  };
  await mkdir(join(dir, 'taken'));
  await assert.rejects(runExport({ ...base, dest: 'taken' }), { code: 'SEED_DESTINATION_EXISTS' });
  await assert.rejects(runExport({ ...base, dest: 'x', type: 'foo' }), /unsupported --type foo/);
  await assert.rejects(
    runExport({ ...base, dest: 'x', grid: 'utm32', levels: '7' }),
    /destination grid only has 5 levels/,
  );
  await assert.rejects(
    runExport({ ...base, dest: 'x', source: 'nope' }),
    (e: unknown) => e instanceof SeedError && /unknown --source nope/.test(e.message),
  );
  await assert.rejects(
    runExport({ ...base, dest: 'x', grid: 'srs=EPSG:4326 colour=red' }),
    /unknown key "colour"/,
  );
  const forced = await runExport({ ...base, dest: 'taken', force: true });
  assert.equal(forced.stats.failures.length, 0);
  assert.deepEqual(await filesUnder(join(dir, 'taken')), ['0/0/0.png']);
});
