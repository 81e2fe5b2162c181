/** Bbox coverages (MapProxy `BBOXCoverage`), with an explicit transformation tolerance. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getSrs } from '../srs/index.js';
import { createBBoxCoverage, parseBBox } from './index.js';

const WGS84 = getSrs('EPSG:4326');
const MERC = getSrs('EPSG:3857');

test('parses "a,b,c,d" and lists, rejecting inverted or short boxes', () => {
  assert.deepEqual(parseBBox('5, 50,10,55'), [5, 50, 10, 55]);
  assert.deepEqual(parseBBox([5, 50, 10, 55]), [5, 50, 10, 55]);
  assert.throws(() => parseBBox('10,50,5,55'), { code: 'GRID_INVALID_BBOX' });
  assert.throws(() => parseBBox([1, 2, 3]), { code: 'GRID_INVALID_BBOX' });
});

test('intersects and contains in the coverage SRS; touching edges do not intersect', () => {
  const coverage = createBBoxCoverage({ bbox: '5,50,10,55', srs: 'EPSG:4326' });
  assert.equal(coverage.intersects([0, 40, 20, 60], WGS84), true);
  assert.equal(coverage.contains([0, 40, 20, 60], WGS84), false);
  assert.equal(coverage.contains([6, 51, 9, 54], WGS84), true);
  assert.equal(coverage.intersects([10, 50, 20, 55], WGS84), false);
  assert.equal(coverage.contains([5, 50, 10.0000000000001, 55], WGS84), true); // MapProxy's 1e-13 slack
});

test('query boxes in another SRS are transformed first', () => {
  const coverage = createBBoxCoverage({ bbox: [5, 50, 10, 55], srs: 'EPSG:4326' });
  const inside = WGS84.transformBBox(MERC, [6, 51, 9, 54]);
  assert.equal(coverage.contains(inside, MERC), true);
  assert.equal(coverage.intersects(WGS84.transformBBox(MERC, [20, 20, 30, 30]), MERC), false);
  const extent = coverage.extent(MERC);
  const expected = [556597.4539663679, 6446275.841017158, 1113194.9079327357, 7361866.113051188];
  extent.forEach((value, i) => {
    assert.ok(Math.abs(value - (expected[i] ?? NaN)) < 1e-3, `${i}: ${value}`);
  });
  assert.deepEqual(coverage.extent(WGS84), [5, 50, 10, 55]);
});

test('an unknown SRS is a GridError', () => {
  assert.throws(() => createBBoxCoverage({ bbox: [0, 0, 1, 1], srs: 'EPSG:999999' }), {
    code: 'GRID_UNKNOWN_SRS',
  });
});
