/** Config coverage sections → coverages: every MapProxy form, and the key each problem is reported at. */
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { ConfigPath, CoverageConfig } from '../config/index.js';
import { getSrs } from '../srs/index.js';
import { writeOgrDatasources } from '../../../test/helpers/ogr-datasources.js';
import { needs } from '../../../test/helpers/system-programs.js';
import { coverageFromConfig, seedingCoverage, type CoverageFailure } from './coverage-from-config.js';

const WGS84 = getSrs('EPSG:4326');

/** Reports as `path: message`, so tests can match the key. */
class Failure extends Error {
  readonly path: ConfigPath;
  readonly problem: string;

  constructor(path: ConfigPath, message: string) {
    super(`${path.join('.')}: ${message}`);
    this.path = path;
    this.problem = message;
  }
}
const fail: CoverageFailure = (path, message) => new Failure(path, message);

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'coverage-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a bbox, a bbox list datasource and a bbox string datasource are bbox coverages', () => {
  for (const conf of [
    { bbox: [5, 50, 10, 55], srs: 'EPSG:4326' },
    { datasource: [5, 50, 10, 55], srs: 'EPSG:4326' },
    { bbox: [5, 50, 10, 55], bbox_srs: 'EPSG:4326', srs: 'EPSG:3857' },
  ] as CoverageConfig[]) {
    const coverage = coverageFromConfig(conf, fail);
    assert.equal(coverage.kind, 'bbox');
    assert.deepEqual(coverage.bbox, [5, 50, 10, 55]);
    assert.equal(coverage.srs.code, 'EPSG:4326');
  }
});

test('WKT and GeoJSON datasources and the legacy polygons key become polygon coverages', async (t) => {
  const dir = await tempDir(t);
  await writeFile(
    join(dir, 'a.wkt'),
    '\uFEFFPOLYGON((0 0, 4 0, 0 4, 0 0))\n\nMULTIPOLYGON(((10 10, 12 10, 12 12, 10 10)))\n',
  );
  const feature = {
    type: 'Feature',
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [4, 0],
          [0, 4],
          [0, 0],
        ],
      ],
    },
  };
  await writeFile(join(dir, 'a.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [feature] }));
  const wkt = coverageFromConfig({ datasource: join(dir, 'a.wkt'), srs: 'EPSG:4326' }, fail);
  assert.equal(wkt.kind, 'polygon');
  assert.deepEqual(wkt.bbox, [0, 0, 12, 12]);
  assert.equal(wkt.intersects([0.5, 0.5, 1, 1], WGS84), true);
  assert.equal(wkt.intersects([3, 3, 4, 4], WGS84), false, 'beyond the hypotenuse, inside the bbox');
  const geojson = coverageFromConfig({ datasource: join(dir, 'a.geojson'), srs: 'EPSG:4326' }, fail);
  assert.deepEqual(geojson.bbox, [0, 0, 4, 4]);
  const legacy = coverageFromConfig({ polygons: join(dir, 'a.wkt'), polygons_srs: 'EPSG:4326' }, fail);
  assert.deepEqual(legacy.bbox, [0, 0, 12, 12]);
});

test("union, intersection and difference combine sub-coverages in the first one's SRS", () => {
  const a = { bbox: [0, 0, 4, 4], srs: 'EPSG:4326' } as const;
  const b = { bbox: [2, 2, 6, 6], srs: 'EPSG:4326' } as const;
  assert.deepEqual(coverageFromConfig({ union: [a, b] }, fail).bbox, [0, 0, 6, 6]);
  assert.deepEqual(coverageFromConfig({ intersection: [a, b] }, fail).bbox, [2, 2, 4, 4]);
  const difference = coverageFromConfig({ difference: [a, b] }, fail);
  assert.equal(difference.intersects([3, 3, 3.5, 3.5], WGS84), false);
  assert.equal(difference.intersects([0, 0, 1, 1], WGS84), true);
});

test('expire_tiles files list web-mercator tiles as EPSG:3857 squares; a bad line ends its file', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'expire', 'sub'), { recursive: true });
  await writeFile(join(dir, 'expire', 'sub', 'tiles.txt'), '1/0/0\nnot a tile\n1/1/0\n');
  const coverage = coverageFromConfig({ expire_tiles: join(dir, 'expire') }, fail);
  assert.equal(coverage.srs.code, 'EPSG:3857');
  const max = 20037508.342789244;
  // MapProxy stops reading a file at its first bad line: 1/1/0 is not part of the coverage
  assert.deepEqual(coverage.bbox, [-max, 0, 0, max]);
});

test('problems are reported at the key they belong to', { skip: needs('ogr2ogr') }, async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'shape.shp'), 'binary');
  await writeFile(join(dir, 'a.geojson'), '{"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}');
  await writeFile(join(dir, 'point.geojson'), '{"type": "Point", "coordinates": [1, 1]}');
  const cases: [CoverageConfig, string, RegExp][] = [
    // OGR failures: the first line of ogr2ogr's (ogrinfo's) stderr
    [
      { ogr_datasource: join(dir, 'missing.gpkg'), ogr_srs: 'EPSG:4326' },
      'ogr_datasource',
      /missing\.gpkg: FAILURE: Unable to open datasource/,
    ],
    [{ ogr_datasource: join(dir, 'a.geojson') }, 'ogr_srs', /coverage needs ogr_srs/],
    [
      { datasource: join(dir, 'shape.shp'), srs: 'EPSG:4326' },
      'datasource',
      /shape\.shp: FAILURE: Unable to open datasource/,
    ],
    [
      { datasource: join(dir, 'a.geojson'), where: 'x=1', srs: 'EPSG:4326' },
      'datasource',
      /a\.geojson: ERROR 1: "x" not recognised as an available field/,
    ],
    [{ datasource: join(dir, 'missing.wkt'), srs: 'EPSG:4326' }, 'datasource', /missing\.wkt/],
    [{ datasource: join(dir, 'point.geojson'), srs: 'EPSG:4326' }, 'datasource', /no geometries/],
    [{ datasource: join(dir, 'a.geojson') }, 'srs', /coverage needs srs/],
    [{ bbox: [0, 0, 1, 1], srs: 'EPSG:999999' }, 'srs', /unknown coverage srs/],
    [
      { union: [{ bbox: [0, 0, 1, 1], srs: 'EPSG:4326' }, { polygons: join(dir, 'missing.wkt') }] },
      'union.1.polygons_srs',
      /coverage needs polygons_srs/,
    ],
    [
      {
        intersection: [
          { bbox: [0, 0, 1, 1], srs: 'EPSG:4326' },
          { bbox: [2, 2, 3, 3], srs: 'EPSG:4326' },
        ],
      },
      'intersection',
      /./,
    ],
    [{}, '', /coverage needs/],
  ];
  for (const [conf, key, message] of cases) {
    assert.throws(
      () => coverageFromConfig(conf, fail),
      (error: Failure) => error.path.join('.') === key && message.test(error.problem),
      `${JSON.stringify(conf)} → ${key}`,
    );
  }
});

test('where and ogr_where pick the polygons of a shapefile', { skip: needs('ogr2ogr') }, async (t) => {
  const dir = await tempDir(t);
  await writeOgrDatasources(dir);
  const shp = join(dir, 'polys.shp');
  assert.deepEqual(coverageFromConfig({ datasource: shp, srs: 'EPSG:4326' }, fail).bbox, [0.5, 0.5, 9, 9]);
  const a = coverageFromConfig({ datasource: shp, where: "name = 'a'", srs: 'EPSG:4326' }, fail);
  assert.deepEqual(a.bbox, [0.5, 0.5, 4, 4]);
  const b = coverageFromConfig({ ogr_datasource: shp, ogr_where: "name = 'b'", ogr_srs: 'EPSG:4326' }, fail);
  assert.deepEqual(b.bbox, [6, 6, 9, 9]);
});

test('the SRS keys MapProxy 1.15 requires have no default: polygons_srs, bbox_srs or srs, srs', () => {
  const cases: [CoverageConfig, string][] = [
    // MapProxy: KeyError 'polygons_srs' (srs is not read for polygons)
    [{ polygons: '/nowhere.wkt', srs: 'EPSG:4326' }, 'polygons_srs'],
    // MapProxy: KeyError 'srs'
    [{ bbox: [0, 0, 1, 1] }, 'srs'],
    [{ datasource: [0, 0, 1, 1] }, 'srs'],
  ];
  for (const [conf, key] of cases) {
    assert.throws(
      () => coverageFromConfig(conf, fail),
      (error: Failure) => error.path.join('.') === key && error.problem === `coverage needs ${key}`,
      JSON.stringify(conf),
    );
  }
});

test('for seeding a coverage without area is null (MapProxy skips its tasks); other problems fail', () => {
  const a = { bbox: [0, 0, 1, 1], srs: 'EPSG:4326' } as const;
  const b = { bbox: [2, 2, 3, 3], srs: 'EPSG:4326' } as const;
  assert.equal(seedingCoverage({ intersection: [a, b] }, fail), null);
  assert.equal(seedingCoverage({ union: [a, { difference: [b, b] }] }, fail), null, 'an empty part');
  assert.deepEqual(seedingCoverage({ union: [a, b] }, fail)?.bbox, [0, 0, 3, 3]);
  assert.throws(
    () => seedingCoverage({ union: [a, { bbox: [2, 2, 3, 3] }] }, fail),
    (error: Failure) => error.path.join('.') === 'union.1.srs',
  );
});
