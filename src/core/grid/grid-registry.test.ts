import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGridRegistry, GridError, type TileGrid } from './index.js';

// Expected values: MapProxy 1.15 `ProxyConfiguration({'grids': {...}}).grids[name].tile_grid()`.

function get(grids: Map<string, TileGrid>, name: string): TileGrid {
  const grid = grids.get(name);
  assert.ok(grid, `grid ${name} exists`);
  return grid;
}

const utm = {
  srs: 'EPSG:25832',
  bbox: [200000, 5200000, 1000000, 6200000],
  res: [1000, 500, 250],
  origin: 'nw',
} as const;

test('the three default grids are always present', () => {
  const grids = buildGridRegistry({});
  assert.deepEqual([...grids.keys()].sort(), ['GLOBAL_GEODETIC', 'GLOBAL_MERCATOR', 'GLOBAL_WEBMERCATOR']);
  assert.deepEqual(get(grids, 'GLOBAL_GEODETIC').gridSizes.slice(0, 3), [
    [1, 1],
    [2, 1],
    [4, 2],
  ]);
  assert.equal(get(grids, 'GLOBAL_WEBMERCATOR').origin, 'ul');
});

test('a grid inherits every key of its base (res, bbox, srs, origin) and overrides its own', () => {
  const grids = buildGridRegistry({ utm, utm512: { base: 'utm', tileSize: [512, 512] } });
  const child = get(grids, 'utm512');
  assert.equal(child.name, 'utm512');
  assert.equal(child.srs.code, 'EPSG:25832');
  assert.equal(child.origin, 'ul');
  assert.deepEqual(child.tileSize, [512, 512]);
  assert.deepEqual(child.resolutions, [1000, 500, 250]);
  assert.deepEqual(child.bbox, [200000, 5200000, 1000000, 6200000]);
  assert.deepEqual(child.gridSizes, [
    [2, 2],
    [4, 4],
    [7, 8],
  ]);
  assert.deepEqual(get(grids, 'utm').gridSizes, [
    [4, 4],
    [7, 8],
    [13, 16],
  ]);
});

test('a grid based on a default grid takes its srs and origin but keeps its own name', () => {
  const grids = buildGridRegistry({ merc_child: { base: 'GLOBAL_WEBMERCATOR', numLevels: 5 } });
  const grid = get(grids, 'merc_child');
  assert.equal(grid.name, 'merc_child');
  assert.equal(grid.srs.code, 'EPSG:3857');
  assert.equal(grid.origin, 'ul');
  assert.deepEqual(
    grid.resolutions,
    [156543.03392804097, 78271.51696402048, 39135.75848201024, 19567.87924100512, 9783.93962050256],
  );
});

test('base chains are followed', () => {
  const grids = buildGridRegistry({
    c: { base: 'b', numLevels: 3 },
    b: { base: 'a', origin: 'sw' },
    a: { srs: 'EPSG:4326', bbox: [0, 0, 10, 10], origin: 'nw', tileSize: [512, 256] },
  });
  const grid = get(grids, 'c');
  assert.equal(grid.origin, 'll');
  assert.deepEqual(grid.tileSize, [512, 256]);
  assert.deepEqual(grid.resolutions, [0.0390625, 0.01953125, 0.009765625]);
});

test('a user grid replaces a default grid of the same name', () => {
  const grids = buildGridRegistry({
    GLOBAL_MERCATOR: { srs: 'EPSG:3857', bbox: [-1000, -1000, 1000, 1000], numLevels: 2 },
  });
  const grid = get(grids, 'GLOBAL_MERCATOR');
  assert.equal(grid.name, 'GLOBAL_MERCATOR');
  assert.equal(grid.srs.code, 'EPSG:3857');
  assert.equal(grid.origin, 'll');
  assert.deepEqual(grid.resolutions, [7.8125, 3.90625]);
});

test('globals tile_size and stretch factors apply where a grid has none', () => {
  const grids = buildGridRegistry(
    { own: { srs: 4326, tileSize: [128, 128], stretchFactor: 1.5 } },
    { tileSize: [512, 512], stretchFactor: 1.2, maxShrinkFactor: 2 },
  );
  assert.deepEqual(get(grids, 'GLOBAL_GEODETIC').tileSize, [512, 512]);
  assert.equal(get(grids, 'GLOBAL_GEODETIC').resolutions[0], 0.703125);
  assert.equal(get(grids, 'own').stretchFactor, 1.5);
  assert.equal(get(grids, 'own').maxShrinkFactor, 2);
  assert.deepEqual(get(grids, 'own').tileSize, [128, 128]);
});

test('an unknown base names the grid and the key', () => {
  assert.throws(() => buildGridRegistry({ g: { base: 'nope' } }), {
    name: 'GridError',
    code: 'GRID_UNKNOWN_BASE',
    gridName: 'g',
    key: 'base',
    message: 'unknown base nope for grid g',
  });
});

test('a base cycle is reported instead of recursing forever', () => {
  assert.throws(() => buildGridRegistry({ a: { base: 'b' }, b: { base: 'a' } }), {
    code: 'GRID_BASE_CYCLE',
    key: 'base',
  });
  assert.throws(() => buildGridRegistry({ self: { base: 'self' } }), {
    code: 'GRID_BASE_CYCLE',
    gridName: 'self',
  });
});

test('a failing grid reports its name and the key at fault', () => {
  assert.throws(
    () => buildGridRegistry({ utm: { srs: 'EPSG:25832' } }),
    (error: unknown) => {
      assert.ok(error instanceof GridError);
      assert.equal(error.code, 'GRID_MISSING_BBOX');
      assert.equal(error.gridName, 'utm');
      assert.equal(error.key, 'bbox');
      assert.equal(error.message, 'grid utm: need a bbox for grid with EPSG:25832');
      return true;
    },
  );
  assert.throws(() => buildGridRegistry({ x: { srs: 'EPSG:0', bbox: [0, 0, 1, 1] } }), {
    code: 'GRID_UNKNOWN_SRS',
    gridName: 'x',
    key: 'srs',
  });
});

test('inheriting res and setting min_res conflicts, as in MapProxy', () => {
  assert.throws(() => buildGridRegistry({ utm, child: { base: 'utm', minRes: 2000 } }), {
    code: 'GRID_INVALID_OPTION',
    gridName: 'child',
    key: 'res',
  });
});

test('align_resolutions_with takes the levels of another grid inside the bbox', () => {
  // MapProxy: tile_grid(srs='EPSG:3857', bbox=[0, 0, 1000000, 1000000], origin='nw',
  //   align_with=GLOBAL_WEBMERCATOR grid).resolutions
  const grids = buildGridRegistry({
    aligned: {
      srs: 'EPSG:3857',
      bbox: [0, 0, 1000000, 1000000],
      origin: 'nw',
      alignResolutionsWith: 'GLOBAL_WEBMERCATOR',
    },
  });
  const grid = get(grids, 'aligned');
  assert.equal(grid.resolutions[0], 2445.98490512564);
  assert.equal(grid.resolutions.length, 14);
  assert.throws(() => buildGridRegistry({ a: { srs: 3857, alignResolutionsWith: 'missing' } }), {
    code: 'GRID_UNKNOWN_GRID',
    key: 'align_resolutions_with',
  });
});
