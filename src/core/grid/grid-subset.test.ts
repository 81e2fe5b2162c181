import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTileGrid, GLOBAL_GEODETIC, isGridSubsetOf } from './index.js';

const mercator = createTileGrid({ srs: 'EPSG:3857' });

test('a grid on a quarter of the mercator world from level 1 on is a subset of the mercator grid', () => {
  const sub = createTileGrid({
    srs: 'EPSG:3857',
    bbox: [0, 0, 20037508.342789244, 20037508.342789244],
    minRes: 78271.51696402048,
    numLevels: 18,
  });
  assert.equal(isGridSubsetOf(sub, mercator), true);
  assert.equal(isGridSubsetOf(mercator, sub), false);
});

test('grids of another SRS, tile size or misaligned origin are no subsets', () => {
  assert.equal(isGridSubsetOf(createTileGrid(GLOBAL_GEODETIC), mercator), false);
  const big = createTileGrid({ srs: 'EPSG:3857', tileSize: [512, 512] });
  assert.equal(isGridSubsetOf(big, mercator), false);
  const shifted = createTileGrid({
    srs: 'EPSG:3857',
    bbox: [1000, 0, 20037508.342789244, 20037508.342789244],
    minRes: 78271.51696402048,
    numLevels: 3,
  });
  assert.equal(isGridSubsetOf(shifted, mercator), false);
});
