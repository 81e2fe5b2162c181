import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bboxContains, bboxIntersection, bboxIntersects, isValidBBox, type BBox } from './index.js';

test('boxes that only touch at an edge do not intersect', () => {
  assert.equal(bboxIntersects([0, 0, 10, 10], [10, 0, 20, 10]), false);
  assert.equal(bboxIntersection([0, 0, 10, 10], [10, 0, 20, 10]), null);
});

test('intersection of overlapping boxes is their common area', () => {
  assert.deepEqual(bboxIntersection([0, 0, 10, 10], [5, -5, 20, 5]), [5, 0, 10, 5]);
});

test('containment allows shared edges', () => {
  assert.equal(bboxContains([0, 0, 10, 10], [0, 0, 10, 10]), true);
  assert.equal(bboxContains([0, 0, 10, 10], [0, 0, 10.1, 10]), false);
});

test('rejects a bbox with minx > maxx or a non-finite value', () => {
  const cases: [BBox, boolean][] = [
    [[0, 0, 1, 1], true],
    [[1, 0, 0, 1], false],
    [[0, 1, 1, 1], false],
    [[0, 0, Number.NaN, 1], false],
  ];
  for (const [bbox, valid] of cases) assert.equal(isValidBBox(bbox), valid, JSON.stringify(bbox));
});
