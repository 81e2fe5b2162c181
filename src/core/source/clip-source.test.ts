/** `clip: true` on a source: images are masked to the coverage, untouched when fully inside. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBBoxCoverage, createPolygonCoverage } from '../grid/index.js';
import { imageFromRaw, type ImageResult } from '../image/index.js';
import { getSrs } from '../srs/index.js';
import type { BBox } from '../util/index.js';
import { clipSourceToCoverage } from './clip-source.js';
import type { MapQuery, MapSource } from './types.js';

const WGS84 = getSrs('EPSG:4326');

function fakeSource(answer: 'image' | 'null'): MapSource & { calls: number } {
  const source = {
    name: 'fake',
    isTransparent: false,
    tileGrid: null,
    calls: 0,
    getMap(query: MapQuery): Promise<ImageResult | null> {
      source.calls += 1;
      if (answer === 'null') return Promise.resolve(null);
      const [width, height] = query.size;
      return Promise.resolve(imageFromRaw({ data: Buffer.alloc(width * height * 4, 255), size: query.size }));
    },
  };
  return source;
}

const query = (bbox: BBox, srs = WGS84): MapQuery => ({
  bbox,
  size: [10, 10],
  srs,
  format: 'image/png',
  transparent: true,
  dimensions: {},
  isSeeding: false,
});

async function alphaAt(image: ImageResult | null, x: number, y: number): Promise<number | undefined> {
  assert.ok(image);
  const { data, size } = await image.raw();
  return data[(y * size[0] + x) * 4 + 3];
}

// a triangle below the diagonal x + y = 10 of [0,0,10,10]
const triangle = createPolygonCoverage([[[[0, 0], [10, 0], [0, 10], [0, 0]]]], WGS84);

test('masks the part of an image outside the polygon and reports itself transparent', async () => {
  const source = clipSourceToCoverage(fakeSource('image'), triangle);
  assert.equal(source.isTransparent, true);
  const image = await source.getMap(query([0, 0, 10, 10]));
  assert.equal(await alphaAt(image, 1, 8), 255, 'lower left: inside');
  assert.equal(await alphaAt(image, 8, 1), 0, 'upper right: outside');
});

test('passes images inside the coverage and null answers through unchanged', async () => {
  const inner = fakeSource('image');
  const image = await inner.getMap(query([1, 1, 2, 2]));
  const passing: MapSource = { ...inner, getMap: () => Promise.resolve(image) };
  assert.equal(await clipSourceToCoverage(passing, triangle).getMap(query([1, 1, 2, 2])), image);
  assert.equal(await clipSourceToCoverage(fakeSource('null'), triangle).getMap(query([0, 0, 10, 10])), null);
});

test('clips in the query SRS: a bbox coverage in EPSG:4326 on a web-mercator query', async () => {
  const left = createBBoxCoverage({ bbox: [0, -10, 5, 10], srs: 'EPSG:4326' });
  const mercator = getSrs('EPSG:3857');
  const bbox = WGS84.transformBBox(mercator, [0, -5, 10, 5]);
  const image = await clipSourceToCoverage(fakeSource('image'), left).getMap(query(bbox, mercator));
  assert.equal(await alphaAt(image, 2, 5), 255);
  assert.equal(await alphaAt(image, 7, 5), 0);
});
