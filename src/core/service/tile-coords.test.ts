/** Public tile addresses -> internal coordinates: profiles, sqrt2 levels and origin flips. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tmsGridInfo, type TileCoord } from '../grid/index.js';
import { externalTileCoord, internalTileCoord, type TileAddressOptions } from './tile-coords.js';
import { grid } from './testing/fixtures.js';

const TMS: TileAddressOptions = { useProfiles: true, origin: 'sw' };
const TILES: TileAddressOptions = { useProfiles: false, origin: null };
const NW: TileAddressOptions = { useProfiles: false, origin: 'nw' };
const SW: TileAddressOptions = { useProfiles: false, origin: 'sw' };

test('converts public coordinates to the grid origin and level', () => {
  const cases: [string, TileCoord, TileAddressOptions, TileCoord | null][] = [
    ['GLOBAL_MERCATOR', { x: 0, y: 0, z: 0 }, TMS, { x: 0, y: 0, z: 1 }],
    ['GLOBAL_MERCATOR', { x: 1, y: 0, z: 1 }, NW, { x: 1, y: 1, z: 1 }],
    ['GLOBAL_MERCATOR', { x: 1, y: 0, z: 1 }, TILES, { x: 1, y: 0, z: 1 }],
    ['GLOBAL_WEBMERCATOR', { x: 1, y: 0, z: 1 }, SW, { x: 1, y: 1, z: 1 }],
    ['GLOBAL_WEBMERCATOR', { x: 1, y: 0, z: 2 }, TMS, { x: 1, y: 7, z: 3 }],
    ['GLOBAL_GEODETIC', { x: 3, y: 1, z: 1 }, TMS, { x: 3, y: 1, z: 2 }],
    ['utm32', { x: 2, y: 0, z: 0 }, TMS, { x: 2, y: 3, z: 0 }],
    ['sqrt2merc', { x: 0, y: 0, z: 0 }, TMS, { x: 0, y: 0, z: 2 }],
    ['sqrt2merc', { x: 0, y: 0, z: 1 }, TILES, { x: 0, y: 0, z: 2 }],
    ['GLOBAL_MERCATOR', { x: 0, y: 0, z: -1 }, TILES, null],
    ['GLOBAL_MERCATOR', { x: 0, y: 0, z: 19 }, TMS, null],
    ['GLOBAL_MERCATOR', { x: 2, y: 0, z: 1 }, TILES, null],
    ['utm32', { x: 0, y: 4, z: 0 }, TMS, null],
  ];
  for (const [gridName, external, options, expected] of cases) {
    const g = grid(gridName);
    assert.deepEqual(
      internalTileCoord(g, tmsGridInfo(g), external, options),
      expected,
      `${gridName} ${JSON.stringify(external)}`,
    );
  }
});

test('external coordinates undo the level offsets only', () => {
  const merc = tmsGridInfo(grid('GLOBAL_MERCATOR'));
  assert.deepEqual(externalTileCoord(merc, { x: 1, y: 2, z: 3 }, true), { x: 1, y: 2, z: 2 });
  assert.deepEqual(externalTileCoord(merc, { x: 1, y: 2, z: 3 }, false), { x: 1, y: 2, z: 3 });
  const sqrt2 = tmsGridInfo(grid('sqrt2merc'));
  assert.deepEqual(externalTileCoord(sqrt2, { x: 0, y: 0, z: 5 }, false), { x: 0, y: 0, z: 2 });
});
