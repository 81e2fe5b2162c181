/** Polygon coverages and the union/intersection/difference combinators of seed.yaml coverages. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getSrs } from '../srs/index.js';
import {
  combineCoverages,
  createBBoxCoverage,
  createMultiCoverage,
  createPolygonCoverage,
  transformCoverage,
  type PolygonCoverage,
} from './index.js';

const WGS84 = getSrs('EPSG:4326');
const MERC = getSrs('EPSG:3857');

/** An L shape: the 10x10 square at the origin without its top right quarter. */
const L_SHAPE = createPolygonCoverage(
  [
    [
      [
        [0, 0],
        [10, 0],
        [10, 5],
        [5, 5],
        [5, 10],
        [0, 10],
        [0, 0],
      ],
    ],
  ],
  WGS84,
);

function areaOf(coverage: PolygonCoverage): number {
  let area = 0;
  for (const [outer, ...holes] of coverage.polygons) {
    for (const [index, ring] of [outer ?? [], ...holes].entries()) {
      let twice = 0;
      for (let i = 0; i + 1 < ring.length; i++) {
        const [x1, y1] = ring[i] ?? [0, 0];
        const [x2, y2] = ring[i + 1] ?? [0, 0];
        twice += x1 * y2 - x2 * y1;
      }
      area += (index === 0 ? 1 : -1) * Math.abs(twice / 2);
    }
  }
  return area;
}

test('a polygon answers by its shape, not its bbox: the missing corner neither intersects nor contains', () => {
  assert.deepEqual(L_SHAPE.bbox, [0, 0, 10, 10]);
  assert.equal(L_SHAPE.intersects([6, 6, 9, 9], WGS84), false);
  assert.equal(L_SHAPE.contains([1, 1, 4, 4], WGS84), true);
  assert.equal(L_SHAPE.contains([1, 1, 9, 9], WGS84), false);
  assert.equal(L_SHAPE.intersects([4, 4, 9, 9], WGS84), true);
  assert.equal(L_SHAPE.intersects([20, 20, 30, 30], WGS84), false);
});

test('boxes in another SRS are transformed before the test', () => {
  assert.equal(L_SHAPE.contains(WGS84.transformBBox(MERC, [1, 1, 4, 4]), MERC), true);
  assert.equal(L_SHAPE.intersects(WGS84.transformBBox(MERC, [6, 6, 9, 9]), MERC), false);
});

test('an empty polygon list is an error, as MapProxy refuses an empty geometry', () => {
  assert.throws(() => createPolygonCoverage([], WGS84), { code: 'GRID_EMPTY_COVERAGE' });
});

test('union, intersection and difference give the expected areas; nothing left is an error', () => {
  const left = createBBoxCoverage({ bbox: [0, 0, 10, 10], srs: WGS84 });
  const right = createBBoxCoverage({ bbox: [5, 0, 15, 10], srs: WGS84 });
  assert.equal(areaOf(combineCoverages('union', [left, right])), 150);
  assert.equal(areaOf(combineCoverages('intersection', [left, right])), 50);
  const holed = combineCoverages('difference', [
    left,
    createBBoxCoverage({ bbox: [2, 2, 4, 4], srs: WGS84 }),
  ]);
  assert.equal(areaOf(holed), 96);
  assert.equal(holed.intersects([2.5, 2.5, 3.5, 3.5], WGS84), false, 'inside the hole');
  assert.throws(() => combineCoverages('difference', [left, left]), { code: 'GRID_EMPTY_COVERAGE' });
  assert.throws(
    () =>
      combineCoverages('intersection', [left, createBBoxCoverage({ bbox: [20, 20, 30, 30], srs: WGS84 })]),
    { code: 'GRID_EMPTY_COVERAGE' },
  );
});

test('the combination is in the SRS of its first part', () => {
  const merc = createBBoxCoverage({ bbox: WGS84.transformBBox(MERC, [0, 0, 10, 10]), srs: MERC });
  const combined = combineCoverages('union', [merc, L_SHAPE]);
  assert.equal(combined.srs.equals(MERC), true);
  assert.ok(Math.abs(combined.bbox[2] - 1113194.9) < 1, String(combined.bbox));
});

test('a multi coverage is any of its parts; transforming keeps the shape', () => {
  const far = createBBoxCoverage({ bbox: [20, 20, 30, 30], srs: WGS84 });
  const multi = createMultiCoverage([L_SHAPE, far]);
  assert.equal(multi.intersects([25, 25, 26, 26], WGS84), true);
  assert.equal(multi.intersects([6, 6, 9, 9], WGS84), false);
  assert.equal(multi.contains([1, 1, 4, 4], WGS84), true);
  const inMerc = transformCoverage(L_SHAPE, MERC);
  assert.equal(inMerc.srs.equals(MERC), true);
  assert.equal(inMerc.intersects([6, 6, 9, 9], WGS84), false);
  assert.equal(inMerc.contains([1, 1, 4, 4], WGS84), true);
});

// expected values from shapely 1.8 `prep(polygon).intersects(box(...))`, as MapProxy 1.15's GeomCoverage
const HOLED = createPolygonCoverage(
  [
    [
      [
        [0, 0],
        [10, 0],
        [10, 10],
        [0, 10],
        [0, 0],
      ],
      [
        [2, 2],
        [4, 2],
        [4, 4],
        [2, 4],
        [2, 2],
      ],
    ],
  ],
  WGS84,
);
const TRIANGLE = createPolygonCoverage(
  [
    [
      [
        [1, 1],
        [8, 1],
        [1, 8],
        [1, 1],
      ],
    ],
  ],
  WGS84,
);
const TOUCHING: readonly [string, PolygonCoverage, readonly [number, number, number, number], boolean][] = [
  ['a box sharing an outer edge', L_SHAPE, [10, 0, 12, 5], true],
  ['a box sharing only the inner corner', L_SHAPE, [5, 5, 9, 9], true],
  ['a box sharing only an outer corner', L_SHAPE, [10, 5, 12, 7], true],
  ['a box just apart', L_SHAPE, [10.001, 0, 12, 5], false],
  ['a point on an edge', L_SHAPE, [10, 2, 10, 2], true],
  ['a box in the hole touching its edge', HOLED, [2.5, 2.5, 4, 3.5], true],
  ['a box strictly inside the hole', HOLED, [2.5, 2.5, 3.5, 3.5], false],
  ['a corner on a diagonal edge', TRIANGLE, [4.5, 4.5, 6, 6], true],
  ['a corner just beyond a diagonal edge', TRIANGLE, [4.5001, 4.5001, 6, 6], false],
  ['a box around the whole polygon', TRIANGLE, [0, 0, 10, 10], true],
];

for (const [name, coverage, box, expected] of TOUCHING) {
  test(`polygon intersects as shapely (touching counts): ${name}`, () => {
    assert.equal(coverage.intersects(box, WGS84), expected);
  });
}

test('bbox coverages need an overlap (MapProxy bbox_intersects), also inside a multi coverage', () => {
  const square = createBBoxCoverage({ bbox: [0, 0, 5, 5], srs: WGS84 });
  assert.equal(square.intersects([5, 0, 10, 5], WGS84), false, 'shared edge');
  assert.equal(square.intersects([5, 5, 10, 10], WGS84), false, 'shared corner');
  assert.equal(createMultiCoverage([square]).intersects([5, 0, 10, 5], WGS84), false);
  assert.equal(createMultiCoverage([square, L_SHAPE]).intersects([10, 0, 12, 5], WGS84), true);
});

test('union, intersection and difference results are polygons: touching counts', () => {
  const left = createBBoxCoverage({ bbox: [0, 0, 5, 5], srs: WGS84 });
  const right = createBBoxCoverage({ bbox: [5, 0, 8, 5], srs: WGS84 });
  assert.equal(combineCoverages('union', [left, right]).intersects([8, 0, 9, 5], WGS84), true);
  assert.equal(combineCoverages('intersection', [left, L_SHAPE]).intersects([5, 5, 6, 6], WGS84), true);
  assert.equal(combineCoverages('difference', [L_SHAPE, left]).intersects([0, 5, 5, 5], WGS84), true);
  assert.equal(combineCoverages('difference', [L_SHAPE, left]).intersects([1, 1, 4, 4], WGS84), false);
});
