import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createTileGrid,
  flipTileCoord,
  limitTile,
  originTile,
  supportsAccessWithOrigin,
  tileBBox,
  tileCoordAt,
  tileCount,
  closestLevel,
  levelOfResolution,
} from './index.js';
import { coord, TEST_GRIDS, type TestGridKey, type Triple } from '../../../test/helpers/test-grids.js';

// Expected values: MapProxy 1.15 TileGrid methods on tile_grid(...) grids: tile_bbox(c),
// tile_bbox(c, limit=True), tile(x, y, z), flip_tile_coord, limit_tile, supports_access_with_origin,
// closest_level. Pure arithmetic: compared exactly.

const grids = TEST_GRIDS;
type GridKey = TestGridKey;

const tileBBoxCases: [GridKey, Triple, number[], number[]][] = [
  ['geo', [0, 0, 0], [-180.0, -90.0, 180.0, 270.0], [-180.0, -90.0, 180.0, 90.0]],
  ['geo', [1, 0, 1], [0.0, -90.0, 180.0, 90.0], [0.0, -90.0, 180.0, 90.0]],
  [
    'merc',
    [1, 1, 1],
    [0.0, 0.0, 20037508.342789244, 20037508.342789244],
    [0.0, 0.0, 20037508.342789244, 20037508.342789244],
  ],
  [
    'merc',
    [3, 5, 3],
    [-5009377.085697312, 5009377.085697312, -9.313225746154785e-10, 10018754.171394624],
    [-5009377.085697312, 5009377.085697312, -9.313225746154785e-10, 10018754.171394624],
  ],
  [
    'web',
    [3, 5, 3],
    [-5009377.085697312, -10018754.171394624, -9.313225746154785e-10, -5009377.085697312],
    [-5009377.085697312, -10018754.171394624, -9.313225746154785e-10, -5009377.085697312],
  ],
  [
    'web',
    [0, 0, 0],
    [-20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244],
    [-20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244],
  ],
  ['odd', [1, 0, 0], [3560.0, 208.0, 6120.0, 2768.0], [3560.0, 2000.0, 4840.0, 2768.0]],
  ['odd', [149, 29, 3], [4814.4, 2000.0, 4840.0, 2025.6], [4814.4, 2000.0, 4840.0, 2025.6]],
];

test('tile bbox matches MapProxy for both origins, unclipped and clipped to the grid', () => {
  for (const [key, c, bbox, limited] of tileBBoxCases) {
    assert.deepEqual(tileBBox(grids[key], coord(c)), bbox, `${key} ${c.join('/')}`);
    assert.deepEqual(tileBBox(grids[key], coord(c), true), limited, `${key} ${c.join('/')} limited`);
  }
});

const tileAtCases: [GridKey, Triple, Triple][] = [
  ['merc', [1000, 1000, 1], [1, 1, 1]],
  ['web', [1000, 1000, 1], [1, 0, 1]],
  ['web', [-20037508.342789244, 20037508.342789244, 5], [0, 0, 5]],
  ['geo', [8.5, 53.1, 10], [536, 407, 10]],
  ['odd', [4000, 2100, 2], [11, 2, 2]],
];

test('tile offsets are rounded to 12 decimals like MapProxy (23 * 0.1 * 256 is 588.8000000000001)', () => {
  // MapProxy: odd grid .tile_bbox((23, 0, 3)) == (1588.8, 2742.4, 1614.3999999999999, 2768.0)
  assert.deepEqual(tileBBox(grids.odd, { x: 23, y: 0, z: 3 }), [1588.8, 2742.4, 1614.3999999999999, 2768.0]);
});

test('the tile containing a point counts y from the grid origin', () => {
  for (const [key, [x, y, z], expected] of tileAtCases) {
    assert.deepEqual(tileCoordAt(grids[key], x, y, z), coord(expected), `${key} ${x},${y}@${z}`);
  }
});

test('tile bbox and tile at its centre round-trip for both origins', () => {
  for (const key of ['merc', 'web'] as const) {
    const tile = { x: 5, y: 2, z: 3 };
    const [x0, y0, x1, y1] = tileBBox(grids[key], tile);
    assert.deepEqual(tileCoordAt(grids[key], (x0 + x1) / 2, (y0 + y1) / 2, 3), tile, key);
  }
});

const flipCases: [GridKey, Triple, Triple][] = [
  ['merc', [0, 1, 1], [0, 0, 1]],
  ['merc', [1, 3, 2], [1, 0, 2]],
  ['geo', [3, 0, 2], [3, 1, 2]],
  ['odd', [5, 0, 2], [5, 2, 2]],
];

test('flipping converts between bottom-left and top-left rows per level', () => {
  for (const [key, c, expected] of flipCases)
    assert.deepEqual(flipTileCoord(grids[key], coord(c)), coord(expected));
});

const limitCases: [GridKey, Triple, Triple | null][] = [
  ['merc', [-1, 0, 2], null],
  ['merc', [1, 2, 1], null],
  ['merc', [1, 2, 2], [1, 2, 2]],
  ['geo', [1, 1, 1], null],
  ['geo', [3, 1, 1], null],
  ['geo', [0, 0, 20], null],
  ['odd', [149, 29, 3], [149, 29, 3]],
];

test('tiles outside the level or the grid are not valid', () => {
  for (const [key, c, expected] of limitCases) {
    assert.deepEqual(limitTile(grids[key], coord(c)), expected && coord(expected), `${key} ${c.join('/')}`);
  }
  assert.equal(limitTile(grids.merc, { x: 0.5, y: 0, z: 1 }), null);
});

test('a grid is addressable from the other origin only when its rows end at the bbox', () => {
  // MapProxy: GLOBAL_GEODETIC (level 0 reaches 270 deg north) cannot be served with nw origin
  assert.equal(supportsAccessWithOrigin(grids.geo, 'nw'), false);
  assert.equal(supportsAccessWithOrigin(grids.merc, 'ul'), true);
  assert.equal(supportsAccessWithOrigin(grids.web, 'nw'), true);
  assert.equal(supportsAccessWithOrigin(grids.odd, 'sw'), false);
  const exact = createTileGrid({ srs: 3857, bbox: [0, 0, 1000, 1000], res: [10, 5], origin: 'sw' });
  assert.equal(supportsAccessWithOrigin(exact, 'ul'), false);
});

test('the origin tile of a level is flipped only for the other origin', () => {
  assert.deepEqual(originTile(grids.merc, 2, 'sw'), { x: 0, y: 0, z: 2 });
  assert.deepEqual(originTile(grids.merc, 2, 'nw'), { x: 0, y: 3, z: 2 });
  assert.throws(() => originTile(grids.geo, 2, 'nw'), { code: 'GRID_INVALID_OPTION' });
});

test('tile count is columns times rows; unknown levels throw', () => {
  assert.equal(tileCount(grids.geo, 2), 8);
  assert.equal(tileCount(grids.odd, 3), 4500);
  assert.throws(() => tileCount(grids.geo, 20), { code: 'GRID_INVALID_LEVEL' });
  assert.throws(() => tileBBox(grids.geo, { x: 0, y: 0, z: -1 }), { code: 'GRID_INVALID_LEVEL' });
});

const closestMerc: [number, number][] = [
  [320000.0, 0],
  [160000.0, 0],
  [78321.51696402048, 1],
  [78271.51696402048, 1],
  [90012.24450862355, 1],
  [90794.95967826375, 1],
  [71227.08043725864, 1],
  [67313.50458905761, 2],
  [8000.0, 5],
  [0.01, 19],
];

test('level selection allows stretching up to stretch_factor 1.15', () => {
  for (const [res, level] of closestMerc) assert.equal(closestLevel(grids.merc, res), level, `res ${res}`);
});

const closestThreshold: [number, number][] = [
  [1500, 0],
  [1000, 0],
  [701, 0],
  [700, 1],
  [500, 1],
  [450, 1],
  [416, 2],
  [415, 2],
  [200, 2],
  [100, 2],
];

test('threshold_res switches levels at the configured resolutions', () => {
  // MapProxy docs example: res [1000, 500, 200], threshold_res [700]
  const grid = createTileGrid({
    srs: 3857,
    bbox: [0, 0, 256000, 256000],
    res: [1000, 500, 200],
    thresholdRes: [700],
  });
  for (const [res, level] of closestThreshold) assert.equal(closestLevel(grid, res), level, `res ${res}`);
});

test('a level is found by its resolution within a relative tolerance', () => {
  assert.equal(levelOfResolution(grids.merc, 78271.51696402048), 1);
  assert.equal(levelOfResolution(grids.merc, 78271.51696402048 * (1 + 1e-12)), 1);
  assert.equal(levelOfResolution(grids.merc, 78000), null);
});
