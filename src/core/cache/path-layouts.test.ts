/** Tile paths per directory layout, pinned against MapProxy 1.15 `cache/path.py` (see comment below). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CacheError } from './errors.js';
import { dimensionsPath, levelRelativePath, tileRelativePath, type DirectoryLayout } from './path-layouts.js';

// Expected values computed with /usr/bin/python3 and MapProxy 1.15:
//   from mapproxy.cache.path import location_funcs; from mapproxy.cache.tile import Tile
//   location_funcs(layout)[0](Tile(coord), '/c', 'png')[3:]
// and for the last row of each layout with 'jpeg' and
//   dimensions={'time': '2020-08-25T00:00:00Z', 'dim_level': '700', 'Elevation': '10'}
type Row = readonly [x: number, y: number, z: number, expected: string];
const COORDS = [
  [3, 4, 2],
  [0, 0, 0],
  [12345678, 98765432, 22],
  [1234567, 87654321, 9],
  [1000, 2003004, 12],
  [7, 5, 3],
] as const;
const EXPECTED: Record<DirectoryLayout, readonly string[]> = {
  tc: [
    '02/000/000/003/000/000/004.png',
    '00/000/000/000/000/000/000.png',
    '22/012/345/678/098/765/432.png',
    '09/001/234/567/087/654/321.png',
    '12/000/001/000/002/003/004.png',
    '03/000/000/007/000/000/005.png',
  ],
  mp: [
    '02/0000/0003/0000/0004.png',
    '00/0000/0000/0000/0000.png',
    '22/1234/5678/9876/5432.png',
    '09/0123/4567/8765/4321.png',
    '12/0000/1000/0200/3004.png',
    '03/0000/0007/0000/0005.png',
  ],
  tms: [
    '2/3/4.png',
    '0/0/0.png',
    '22/12345678/98765432.png',
    '9/1234567/87654321.png',
    '12/1000/2003004.png',
    '3/7/5.png',
  ],
  reverse_tms: [
    '4/3/2.png',
    '0/0/0.png',
    '98765432/12345678/22.png',
    '87654321/1234567/9.png',
    '2003004/1000/12.png',
    '5/7/3.png',
  ],
  quadkey: ['11.png', '.png', '3111220110202103223110.png', '230220113.png', '001111323200.png', '313.png'],
  arcgis: [
    'L02/R00000004/C00000003.png',
    'L00/R00000000/C00000000.png',
    'L22/R05e30a78/C00bc614e.png',
    'L09/R05397fb1/C0012d687.png',
    'L12/R001e903c/C000003e8.png',
    'L03/R00000005/C00000007.png',
  ],
};
const WITH_DIMENSIONS: Record<DirectoryLayout, string> = {
  tc: 'elevation-10/time-2020-08-25T00:00:00Z/dim_level-700/02/000/000/003/000/000/004.jpeg',
  mp: 'elevation-10/time-2020-08-25T00:00:00Z/dim_level-700/02/0000/0003/0000/0004.jpeg',
  tms: 'elevation-10/time-2020-08-25T00:00:00Z/dim_level-700/2/3/4.jpeg',
  reverse_tms: 'elevation-10/time-2020-08-25T00:00:00Z/dim_level-700/4/3/2.jpeg',
  quadkey: '11.jpeg',
  arcgis: 'L02/R00000004/C00000003.jpeg',
};
const DIMENSIONS = { time: '2020-08-25T00:00:00Z', dim_level: '700', Elevation: '10' };

for (const layout of Object.keys(EXPECTED) as DirectoryLayout[]) {
  test(`${layout} layout puts tiles where MapProxy 1.15 does`, () => {
    const rows: Row[] = COORDS.map(([x, y, z], i) => [x, y, z, EXPECTED[layout][i] ?? '']);
    for (const [x, y, z, expected] of rows) {
      assert.equal(tileRelativePath(layout, { x, y, z }, 'png'), expected, `${x},${y},${z}`);
    }
  });

  test(`${layout} layout places dimensions like MapProxy 1.15`, () => {
    assert.equal(tileRelativePath(layout, { x: 3, y: 4, z: 2 }, 'jpeg', DIMENSIONS), WITH_DIMENSIONS[layout]);
  });
}

test('level directories follow MapProxy level_location (tms shares the zero-padded form)', () => {
  // MapProxy: level_location(2, '/c') == '/c/02'; level_location_arcgiscache(3, '/c', {'time': 'x'}) == '/c/time-x/L03'
  assert.equal(levelRelativePath('tc', 2), '02');
  assert.equal(levelRelativePath('tms', 2), '02');
  assert.equal(levelRelativePath('arcgis', 3, { time: 'x' }), 'time-x/L03');
  assert.equal(levelRelativePath('quadkey', 3), null);
  assert.equal(levelRelativePath('reverse_tms', 3), null);
});

test('rejects dimension values that would leave the cache directory', () => {
  for (const value of ['..', '../x', 'a/../b', '/abs', '']) {
    assert.throws(
      () => dimensionsPath({ time: value }),
      (e: unknown) => e instanceof CacheError && e.code === 'CACHE_INVALID_DIMENSION',
      value,
    );
  }
  assert.equal(dimensionsPath({}), '');
});

test('rejects a dimension value whose directory name is longer than 255 bytes', () => {
  assert.equal(dimensionsPath({ time: 'a'.repeat(250) }), `time-${'a'.repeat(250)}`);
  // each part of a value with slashes is a directory of its own
  assert.equal(dimensionsPath({ time: `${'a'.repeat(250)}/b` }), `time-${'a'.repeat(250)}/b`);
  for (const value of ['a'.repeat(251), `x/${'a'.repeat(256)}`, 'é'.repeat(126)]) {
    assert.throws(() => dimensionsPath({ time: value }), {
      code: 'CACHE_INVALID_DIMENSION',
      message: /too long for a cache directory name/,
    });
  }
});
