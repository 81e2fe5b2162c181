import { test } from 'node:test';
import assert from 'node:assert/strict';
import { affectedLevelTiles, affectedTiles } from './index.js';
import { coord, TEST_GRIDS, type TestGridKey, type Triple } from '../../../test/helpers/test-grids.js';
import { getSrs } from '../srs/index.js';

// Expected values: MapProxy 1.15 `grid.get_affected_tiles(bbox, size, req_srs=SRS(srs))` ->
// (bbox, grid size, tiles), or NoTiles (null here). The last three rows request level 3 exactly,
// stretched by 1.15 and by 1.16. Bboxes exact, except relTol 1e-9 after a reprojection.

const grids = TEST_GRIDS;
type GridKey = TestGridKey;

interface Expected {
  bbox: number[];
  size: number[];
  tiles: (number[] | null)[];
}
const cases: [GridKey, [number, number, number, number], [number, number], string | null, Expected | null][] =
  [
    [
      'merc',
      [-20037508.34, -20037508.34, 20037508.34, 20037508.34],
      [256, 256],
      null,
      {
        bbox: [-20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244],
        size: [1, 1],
        tiles: [[0, 0, 0]],
      },
    ],
    [
      'merc',
      [-20037508.34, -20037508.34, 20037508.34, 20037508.34],
      [512, 512],
      null,
      {
        bbox: [-20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244],
        size: [2, 2],
        tiles: [
          [0, 1, 1],
          [1, 1, 1],
          [0, 0, 1],
          [1, 0, 1],
        ],
      },
    ],
    [
      'web',
      [-20037508.34, -20037508.34, 20037508.34, 20037508.34],
      [512, 512],
      null,
      {
        bbox: [-20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244],
        size: [2, 2],
        tiles: [
          [0, 0, 1],
          [1, 0, 1],
          [0, 1, 1],
          [1, 1, 1],
        ],
      },
    ],
    [
      'web',
      [900000, 6000000, 1200000, 6200000],
      [600, 400],
      null,
      {
        bbox: [860986.6866042241, 5948635.289265556, 1252344.2714243291, 6261721.357121639],
        size: [5, 4],
        tiles: [
          [267, 176, 9],
          [268, 176, 9],
          [269, 176, 9],
          [270, 176, 9],
          [271, 176, 9],
          [267, 177, 9],
          [268, 177, 9],
          [269, 177, 9],
          [270, 177, 9],
          [271, 177, 9],
          [267, 178, 9],
          [268, 178, 9],
          [269, 178, 9],
          [270, 178, 9],
          [271, 178, 9],
          [267, 179, 9],
          [268, 179, 9],
          [269, 179, 9],
          [270, 179, 9],
          [271, 179, 9],
        ],
      },
    ],
    [
      'merc',
      [900000, 6000000, 1200000, 6200000],
      [600, 400],
      null,
      {
        bbox: [860986.6866042241, 5948635.289265558, 1252344.2714243291, 6261721.357121637],
        size: [5, 4],
        tiles: [
          [267, 335, 9],
          [268, 335, 9],
          [269, 335, 9],
          [270, 335, 9],
          [271, 335, 9],
          [267, 334, 9],
          [268, 334, 9],
          [269, 334, 9],
          [270, 334, 9],
          [271, 334, 9],
          [267, 333, 9],
          [268, 333, 9],
          [269, 333, 9],
          [270, 333, 9],
          [271, 333, 9],
          [267, 332, 9],
          [268, 332, 9],
          [269, 332, 9],
          [270, 332, 9],
          [271, 332, 9],
        ],
      },
    ],
    [
      'web',
      [8.0, 53.0, 9.0, 54.0],
      [300, 300],
      'EPSG:4326',
      {
        bbox: [860986.6866042241, 6966165.009797823, 1017529.7205322667, 7200979.560689885],
        size: [2, 3],
        tiles: [
          [267, 164, 9],
          [268, 164, 9],
          [267, 165, 9],
          [268, 165, 9],
          [267, 166, 9],
          [268, 166, 9],
        ],
      },
    ],
    [
      'geo',
      [900000, 6000000, 1200000, 6200000],
      [500, 333],
      'EPSG:3857',
      {
        bbox: [7.734375, 47.109375, 11.25, 49.21875],
        size: [5, 3],
        tiles: [
          [267, 197, 9],
          [268, 197, 9],
          [269, 197, 9],
          [270, 197, 9],
          [271, 197, 9],
          [267, 196, 9],
          [268, 196, 9],
          [269, 196, 9],
          [270, 196, 9],
          [271, 196, 9],
          [267, 195, 9],
          [268, 195, 9],
          [269, 195, 9],
          [270, 195, 9],
          [271, 195, 9],
        ],
      },
    ],
    [
      'merc',
      [-20037508.34, -20037508.34, 20037508.34, 20037508.34],
      [64, 64],
      null,
      {
        bbox: [-20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244],
        size: [1, 1],
        tiles: [[0, 0, 0]],
      },
    ],
    ['merc', [-20037508.34, -20037508.34, 20037508.34, 20037508.34], [63, 63], null, null],
    ['merc', [-40075016.68, -40075016.68, -30056262.509999998, -30056262.509999998], [256, 256], null, null],
    [
      'geo',
      [-180, -90, 0, 90],
      [256, 256],
      null,
      { bbox: [-180.0, -90.0, 0.0, 90.0], size: [1, 1], tiles: [[0, 0, 1]] },
    ],
    [
      'odd',
      [1000, 2000, 4840, 2768],
      [384, 77],
      null,
      {
        bbox: [1000.0, 208.0, 6120.0, 2768.0],
        size: [2, 1],
        tiles: [
          [0, 0, 0],
          [1, 0, 0],
        ],
      },
    ],
    [
      'web',
      [1000, 1000, 2000, 2000],
      [256, 256],
      null,
      {
        bbox: [611.4962262809277, 611.4962262804453, 2445.984905124193, 2445.984905127436],
        size: [3, 3],
        tiles: [
          [32769, 32764, 16],
          [32770, 32764, 16],
          [32771, 32764, 16],
          [32769, 32765, 16],
          [32770, 32765, 16],
          [32771, 32765, 16],
          [32769, 32766, 16],
          [32770, 32766, 16],
          [32771, 32766, 16],
        ],
      },
    ],
    [
      'merc',
      [0, 0, 5009377.085697311, 5009377.085697311],
      [256, 256],
      null,
      { bbox: [0.0, 0.0, 5009377.085697311, 5009377.085697311], size: [1, 1], tiles: [[4, 4, 3]] },
    ],
    [
      'merc',
      [0, 0, 4355980.074519401, 4355980.074519401],
      [256, 256],
      null,
      { bbox: [0.0, 0.0, 5009377.085697311, 5009377.085697311], size: [1, 1], tiles: [[4, 4, 3]] },
    ],
    [
      'merc',
      [0, 0, 4318428.522152854, 4318428.522152854],
      [256, 256],
      null,
      {
        bbox: [0.0, 0.0, 5009377.08569731, 5009377.08569731],
        size: [2, 2],
        tiles: [
          [8, 9, 4],
          [9, 9, 4],
          [8, 8, 4],
          [9, 8, 4],
        ],
      },
    ],
  ];

for (const [key, bbox, size, srs, expected] of cases) {
  const what = `${key} ${bbox.join(',')} ${size.join('x')}${srs ? ` in ${srs}` : ''}`;
  test(`affected tiles match MapProxy: ${what}`, () => {
    const result = affectedTiles(grids[key], bbox, size, srs === null ? undefined : getSrs(srs));
    if (expected === null) {
      assert.equal(result, null);
      return;
    }
    assert.ok(result);
    const relTol = srs === null ? 0 : 1e-9;
    result.bbox.forEach((v, i) => {
      const e = expected.bbox[i] ?? NaN;
      assert.ok(Math.abs(v - e) <= relTol * Math.abs(e), `bbox[${i}] ${v} vs ${e}`);
    });
    assert.deepEqual(result.gridSize, expected.size);
    assert.deepEqual(
      result.tiles,
      expected.tiles.map((t) => t && coord(t as unknown as Triple)),
    );
  });
}

test('a request bbox that only touches a tile within a tenth of a pixel leaves it out', () => {
  const res = grids.merc.resolutions[2] ?? NaN;
  const tile = 256 * res;
  const near = affectedLevelTiles(grids.merc, [0, 0, tile + res / 20, tile], 2);
  assert.deepEqual(near.tiles, [{ x: 2, y: 2, z: 2 }]);
  const far = affectedLevelTiles(grids.merc, [0, 0, tile + res / 5, tile], 2);
  assert.deepEqual(far.tiles, [
    { x: 2, y: 2, z: 2 },
    { x: 3, y: 2, z: 2 },
  ]);
});

test('an inverted bbox is a GridError', () => {
  assert.throws(() => affectedLevelTiles(grids.merc, [1000000, 0, 0, 1000000], 5), {
    code: 'GRID_INVALID_BBOX',
  });
});

test('positions outside the grid come back as null', () => {
  const result = affectedLevelTiles(grids.geo, [-200, -80, -170, -70], 1);
  assert.deepEqual(result.tiles, [null, { x: 0, y: 0, z: 1 }]);
});

test('a block of billions of tiles is counted without being listed', () => {
  const grid = grids.merc;
  const world: [number, number, number, number] = [-20000000, -20000000, 20000000, 20000000];
  // MapProxy 1.15: num_tiles 4278991396 for this bbox at 1x16000000 pixels
  const found = affectedTiles(grid, world, [1, 16000000]);
  assert.ok(found !== null);
  assert.equal(found.count, 4278991396);
  assert.deepEqual(found.gridSize, [65414, 65414]);
  assert.throws(() => found.tiles, { code: 'GRID_TOO_MANY_TILES' });
});

test('positions() yields the same tiles as the list, one at a time', () => {
  const grid = grids.merc;
  const found = affectedLevelTiles(grid, [-1000000, -1000000, 3000000, 1000000], 4);
  assert.deepEqual([...found.positions()], found.tiles);
  assert.equal(found.count, found.tiles.length);
});
