/**
 * Tile URL placeholders, pinned against MapProxy 1.15.1 `client/tile.py` (its doctests and
 * values computed with /usr/bin/python3).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arcgisCachePath, expandTileUrl, quadkey, tileCachePath, tmsPath } from './index.js';

test('path helpers match MapProxy for a large coordinate', () => {
  const coord = { x: 1234567, y: 87654321, z: 9 };
  assert.equal(tileCachePath(coord), '09/001/234/567/087/654/321');
  assert.equal(tmsPath(coord), '9/1234567/87654321');
  assert.equal(arcgisCachePath(coord), 'L09/R05397fb1/C0012d687');
  assert.equal(quadkey(coord), '230220113');
});

test('quadkeys match the MapProxy doctests', () => {
  assert.equal(quadkey({ x: 0, y: 0, z: 1 }), '0');
  assert.equal(quadkey({ x: 1, y: 0, z: 1 }), '1');
  assert.equal(quadkey({ x: 1, y: 2, z: 2 }), '21');
  assert.equal(quadkey({ x: 0, y: 0, z: 0 }), '');
});

test('templates accept Python conversions and %% escapes', () => {
  assert.equal(
    expandTileUrl('http://foo/tiles/%(z)s/%(x)d/%(y)s.png', { x: 7, y: 4, z: 3 }, 'png'),
    'http://foo/tiles/3/7/4.png',
  );
  assert.equal(
    expandTileUrl('http://foo/tms/1.0.0/lyr/%(tms_path)s.%(format)s', { x: 7, y: 4, z: 3 }, 'jpeg'),
    'http://foo/tms/1.0.0/lyr/3/7/4.jpeg',
  );
  assert.equal(expandTileUrl('%(z)02d/%(x)05d%%20', { x: 7, y: 4, z: 3 }, 'png'), '03/00007%20');
});

test('bbox goes out with eight decimals', () => {
  assert.equal(
    expandTileUrl('%(bbox)s', { x: 0, y: 0, z: 1 }, 'png', [0, -10, 5, -5]),
    '0.00000000,-10.00000000,5.00000000,-5.00000000',
  );
  assert.throws(() => expandTileUrl('%(bbox)s', { x: 0, y: 0, z: 1 }, 'png'), RangeError);
  assert.throws(() => expandTileUrl('%(zoom)s', { x: 0, y: 0, z: 1 }, 'png'), RangeError);
});
