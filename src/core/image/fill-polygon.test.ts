/**
 * fillPolygon against the port of Pillow 9.4's polygon_generic as efedf03 wrote it (every edge
 * visited on every row, as Draw.c does): the same pixels over random rings, one after another on
 * one mask as maskImage fills exteriors and clears holes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fillPolygon, type PixelRing } from './index.js';

const f32 = Math.fround;
const toInt = (v: number): number => Math.trunc(v);
const roundUp = (v: number): number => (v >= 0 ? Math.floor(f32(v + 0.5)) : -Math.floor(f32(-v + 0.5)));
const roundDown = (v: number): number => (v >= 0 ? Math.ceil(f32(v - 0.5)) : -Math.ceil(f32(-v - 0.5)));
const roundf = (v: number): number => (v >= 0 ? Math.floor(v + 0.5) : -Math.floor(-v + 0.5));

interface Edge {
  readonly x0: number;
  readonly y0: number;
  readonly xmin: number;
  readonly xmax: number;
  readonly ymin: number;
  readonly ymax: number;
  readonly dx: number;
}

function addEdge(x0: number, y0: number, x1: number, y1: number): Edge {
  return {
    x0,
    y0,
    xmin: Math.min(x0, x1),
    xmax: Math.max(x0, x1),
    ymin: Math.min(y0, y1),
    ymax: Math.max(y0, y1),
    dx: y0 === y1 ? 0 : f32(f32(x1 - x0) / (y1 - y0)),
  };
}

const edgeX = (e: Edge, y: number): number => f32(f32((y - e.y0) * e.dx) + e.x0);

/** efedf03's fillPolygon, unchanged: the reference. */
function referenceFill(mask: Uint8Array, width: number, height: number, ring: PixelRing, ink: number): void {
  const xy = ring.map(([x, y]) => [toInt(x), toInt(y)] as const);
  const [first] = xy;
  if (first === undefined) return;
  const edges: Edge[] = [];
  let last = first;
  for (const point of xy.slice(1)) {
    edges.push(addEdge(last[0], last[1], point[0], point[1]));
    last = point;
  }
  if (last[0] !== first[0] || last[1] !== first[1]) edges.push(addEdge(last[0], last[1], first[0], first[1]));

  const hline = (x0: number, y: number, x1: number): void => {
    if (y < 0 || y >= height) return;
    if (x0 < 0) x0 = 0;
    else if (x0 >= width) return;
    if (x1 < 0) return;
    if (x1 >= width) x1 = width - 1;
    if (x0 <= x1) mask.fill(ink, y * width + x0, y * width + x1 + 1);
  };

  let ymin = height - 1;
  let ymax = 0;
  const table: Edge[] = [];
  for (const e of edges) {
    if (ymin > e.ymin) ymin = e.ymin;
    if (ymax < e.ymax) ymax = e.ymax;
    if (e.ymin === e.ymax) {
      hline(e.xmin, e.ymin, e.xmax);
      continue;
    }
    table.push(e);
  }
  if (ymin < 0) ymin = 0;
  if (ymax > height) ymax = height;
  const xx = new Float32Array(table.length * 2);
  for (let y = ymin; y <= ymax; y += 1) {
    let j = 0;
    for (const [t, current] of table.entries()) {
      if (y < current.ymin || y > current.ymax) continue;
      const x = edgeX(current, y);
      xx[j++] = x;
      if (y === current.ymax && y < ymax) {
        xx[j++] = x;
      } else if (current.dx !== 0 && roundf(x) === x) {
        for (const [k, other] of table.slice(0, t).entries()) {
          if ((current.dx > 0 && other.dx <= 0) || (current.dx < 0 && other.dx >= 0)) continue;
          const sameEnd =
            (y === current.ymin && y === other.ymin) || (y === current.ymax && y === other.ymax);
          if (!sameEnd || x !== edgeX(other, y)) continue;
          const offset = y === ymax ? -1 : 1;
          const a = edgeX(current, y + offset);
          const b = edgeX(other, y + offset);
          if (y === current.ymax) xx[k] = current.dx > 0 ? Math.max(a, b) + 1 : Math.min(a, b) - 1;
          else xx[k] = current.dx > 0 ? Math.min(a, b) : Math.max(a, b) + 1;
          break;
        }
      }
    }
    const row = xx.subarray(0, j).sort();
    for (let k = 1; k < j; k += 2) hline(roundUp(row[k - 1] ?? 0), y, roundDown(row[k] ?? 0));
  }
}

/**
 * A coordinate from -span/4 to span * 1.25 (outside the image too): mostly whole pixels from a few
 * values (shared rows and columns: horizontal, vertical and collinear edges, corners meeting on
 * whole pixels, where the corner step runs), else fractions and halves.
 */
const coordinate = (span: number): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: -Math.ceil(span / 4), max: Math.ceil(span * 1.25) }) },
    { weight: 1, arbitrary: fc.integer({ min: -span, max: 3 * span }).map((v) => v / 2) },
    {
      weight: 1,
      arbitrary: fc.double({ min: -span / 4, max: span * 1.25, noNaN: true, noDefaultInfinity: true }),
    },
  );

const ring = (width: number, height: number, maxLength: number): fc.Arbitrary<[number, number][]> =>
  fc.array(fc.tuple(coordinate(width), coordinate(height)), { minLength: 0, maxLength });

/** Several rings on one mask (exteriors filled, holes cleared after them), started from noise. */
const scene = (maxSize: number, maxLength: number) =>
  fc
    .record({ width: fc.integer({ min: 1, max: maxSize }), height: fc.integer({ min: 1, max: maxSize }) })
    .chain(({ width, height }) =>
      fc.record({
        width: fc.constant(width),
        height: fc.constant(height),
        start: fc.uint8Array({ minLength: width * height, maxLength: width * height, max: 1 }),
        rings: fc.array(fc.tuple(ring(width, height, maxLength), fc.integer({ min: 0, max: 1 })), {
          minLength: 1,
          maxLength: 4,
        }),
      }),
    );

function assertSameFill({
  width,
  height,
  start,
  rings,
}: {
  width: number;
  height: number;
  start: Uint8Array;
  rings: [[number, number][], number][];
}): void {
  const expected = Uint8Array.from(start);
  const actual = Uint8Array.from(start);
  for (const [points, ink] of rings) {
    referenceFill(expected, width, height, points, ink);
    fillPolygon(actual, width, height, points, ink);
  }
  assert.deepEqual(actual, expected);
}

test('fills small random rings as the port of polygon_generic that visits every edge on every row', () => {
  fc.assert(fc.property(scene(12, 10), assertSameFill), { numRuns: 4000, seed: 21 });
});

test('fills long random rings (many edges on a row, self-intersecting) alike', () => {
  fc.assert(fc.property(scene(40, 80), assertSameFill), { numRuns: 1000, seed: 22 });
});

test('fills stars with holes, closed and open rings, whose corners meet on whole pixels, alike', () => {
  const star = fc
    .record({
      cx: fc.integer({ min: -10, max: 70 }),
      cy: fc.integer({ min: -10, max: 70 }),
      points: fc.integer({ min: 3, max: 40 }),
      inner: fc.integer({ min: 1, max: 30 }),
      outer: fc.integer({ min: 1, max: 40 }),
      closed: fc.boolean(),
      turn: fc.double({ min: 0, max: 7, noNaN: true }),
    })
    .map(({ cx, cy, points, inner, outer, closed, turn }) => {
      const out: [number, number][] = [];
      for (let i = 0; i < points * 2; i += 1) {
        const r = i % 2 === 0 ? outer : inner;
        const a = turn + (Math.PI * i) / points;
        out.push([Math.round(cx + r * Math.cos(a)), Math.round(cy + r * Math.sin(a))]);
      }
      if (closed && out[0]) out.push(out[0]);
      return out;
    });
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 60 * 50, maxLength: 60 * 50, max: 1 }),
      fc.array(fc.tuple(star, fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 4 }),
      (start, rings) => {
        assertSameFill({ width: 60, height: 50, start, rings });
      },
    ),
    { numRuns: 1000, seed: 23 },
  );
});
