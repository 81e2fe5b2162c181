import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createTileGrid,
  GLOBAL_GEODETIC,
  GLOBAL_MERCATOR,
  GLOBAL_WEBMERCATOR,
  tmsGridInfo,
  type GridOptions,
} from './index.js';

// Expected values: MapProxy 1.15 `service.tile.TileServiceGrid(grid)`: profile, srs_name,
// internal_level(0..2), tile_sets[:3] and len(tile_sets).
interface Expected {
  profile: string;
  srs_name: string;
  internal: number[];
  tile_sets: number[][];
  n: number;
}

const cases: [string, GridOptions, Expected][] = [
  [
    'GLOBAL_MERCATOR',
    GLOBAL_MERCATOR,
    {
      profile: 'global-mercator',
      srs_name: 'OSGEO:41001',
      internal: [1, 2, 3],
      tile_sets: [
        [0, 78271.51696402048],
        [1, 39135.75848201024],
        [2, 19567.87924100512],
      ],
      n: 19,
    },
  ],
  [
    'GLOBAL_WEBMERCATOR (EPSG:3857 equals 900913 in MapProxy)',
    GLOBAL_WEBMERCATOR,
    {
      profile: 'global-mercator',
      srs_name: 'OSGEO:41001',
      internal: [1, 2, 3],
      tile_sets: [
        [0, 78271.51696402048],
        [1, 39135.75848201024],
        [2, 19567.87924100512],
      ],
      n: 19,
    },
  ],
  [
    'GLOBAL_GEODETIC',
    GLOBAL_GEODETIC,
    {
      profile: 'global-geodetic',
      srs_name: 'EPSG:4326',
      internal: [1, 2, 3],
      tile_sets: [
        [0, 0.703125],
        [1, 0.3515625],
        [2, 0.17578125],
      ],
      n: 19,
    },
  ],
  [
    'a UTM grid',
    { srs: 'EPSG:25832', bbox: [5.5, 47.2, 15.5, 55.3], bboxSrs: 'EPSG:4326', origin: 'nw', numLevels: 12 },
    {
      profile: 'local',
      srs_name: 'EPSG:25832',
      internal: [0, 1, 2],
      tile_sets: [
        [0, 3592.0557834092433],
        [1, 1796.0278917046217],
        [2, 898.0139458523108],
      ],
      n: 12,
    },
  ],
  [
    'a sqrt2 mercator grid',
    { srs: 'EPSG:900913', resFactor: 'sqrt2' },
    {
      profile: 'global-mercator',
      srs_name: 'OSGEO:41001',
      internal: [4, 6, 8],
      tile_sets: [
        [0, 78271.51696402048],
        [1, 39135.75848201024],
        [2, 19567.87924100512],
      ],
      n: 19,
    },
  ],
  [
    'a sqrt2 geodetic grid',
    { srs: 'EPSG:4326', resFactor: 'sqrt2', numLevels: 10 },
    {
      profile: 'global-geodetic',
      srs_name: 'EPSG:4326',
      internal: [4, 6, 8],
      tile_sets: [
        [0, 0.7031249999999999],
        [1, 0.3515624999999999],
        [2, 0.17578124999999992],
      ],
      n: 4,
    },
  ],
];

for (const [name, options, expected] of cases) {
  test(`TMS profile matches MapProxy: ${name}`, () => {
    const info = tmsGridInfo(createTileGrid(options));
    assert.equal(info.profile, expected.profile);
    assert.equal(info.srsName, expected.srs_name);
    assert.deepEqual([0, 1, 2].map(info.internalLevel), expected.internal);
    assert.equal(info.tileSets.length, expected.n);
    info.tileSets.slice(0, 3).forEach(([order, res], i) => {
      const [eOrder = NaN, eRes = NaN] = expected.tile_sets[i] ?? [];
      assert.equal(order, eOrder);
      assert.ok(Math.abs(res - eRes) <= 1e-9 * eRes, `tile set ${i}: ${res} vs ${eRes}`);
    });
  });
}
