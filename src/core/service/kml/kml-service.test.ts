/** KML super-overlays through `KmlService`: documents, sub tiles, tile images and errors. */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { assertValidXml } from '../../../../test/schemas/validate-xml.js';
import { parseXml, select, texts, type XmlElement } from '../../../../test/schemas/xml-tree.js';
import { ProxyError } from '../../util/index.js';
import { KmlService } from '../index.js';
import { FakeTileLayer } from '../testing/fake-tile-layer.js';
import { grid, serviceRequest } from '../testing/fixtures.js';

function setup() {
  const layers = [
    new FakeTileLayer({
      name: 'osm',
      gridName: 'GLOBAL_MERCATOR',
      grid: grid('GLOBAL_MERCATOR'),
      format: 'image/jpeg',
    }),
    new FakeTileLayer({
      name: 'osm',
      gridName: 'GLOBAL_GEODETIC',
      grid: grid('GLOBAL_GEODETIC'),
      format: 'image/jpeg',
    }),
    new FakeTileLayer({ name: 'nw', gridName: 'GLOBAL_WEBMERCATOR', grid: grid('GLOBAL_WEBMERCATOR') }),
    new FakeTileLayer({ name: 'a&b', gridName: 'GLOBAL_MERCATOR', grid: grid('GLOBAL_MERCATOR') }),
    new FakeTileLayer({
      name: 'bad',
      gridName: 'GLOBAL_MERCATOR',
      grid: grid('GLOBAL_MERCATOR'),
      failWith: new ProxyError('No response from URL (see logs for URL and reason).', 'SOURCE_HTTP'),
    }),
  ];
  return { service: new KmlService({ layers, maxAgeSeconds: 600, now: () => 42 }), layers };
}

async function kml(t: TestContext, service: KmlService, path: string): Promise<XmlElement> {
  const res = await service.handle(serviceRequest(path));
  assert.equal(res.status, 200, path);
  assert.equal(res.contentType, 'application/vnd.google-earth.kml+xml');
  assert.deepEqual(res.cache, { kind: 'document', maxAgeSeconds: 600 });
  await assertValidXml(t, String(res.body), 'kml/2.2.0/ogckml22.xsd', path);
  return parseXml(String(res.body));
}

function box(element: XmlElement, path: string): number[] {
  const [region] = select(element, path);
  assert.ok(region !== undefined, path);
  return ['west', 'south', 'east', 'north'].map((edge) => Number(texts(region, edge)[0]));
}

const hrefs = (doc: XmlElement, path: string) => texts(doc, path);

test('the tile document: region, then a NetworkLink and GroundOverlay per sub tile, top row first', async (t) => {
  const { service } = setup();
  const doc = await kml(t, service, '/kml/osm/EPSG900913/0/0/0.kml');
  assert.deepEqual(texts(doc, 'Document/name'), ['osm']);
  assert.deepEqual(box(doc, 'Document/Region/LatLonAltBox'), [-180, -90, 180, 90]);
  const base = 'http://localhost:8080/kml/osm/EPSG900913/1';
  assert.deepEqual(hrefs(doc, 'Document/NetworkLink/Link/href'), [
    `${base}/0/1.kml`,
    `${base}/1/1.kml`,
    `${base}/0/0.kml`,
    `${base}/1/0.kml`,
  ]);
  assert.deepEqual(hrefs(doc, 'Document/GroundOverlay/Icon/href'), [
    `${base}/0/1.jpeg`,
    `${base}/1/1.jpeg`,
    `${base}/0/0.jpeg`,
    `${base}/1/0.jpeg`,
  ]);
  const [overlay] = select(doc, 'Document/GroundOverlay');
  assert.deepEqual(box(overlay!, 'LatLonBox'), [-180, 0, 0, 90]);
  assert.deepEqual(texts(overlay!, 'name'), ['(0, 1, 1)']);
  assert.deepEqual(texts(overlay!, 'Region/Lod/minLodPixels'), ['128']);
  assert.deepEqual(texts(overlay!, 'Region/Lod/maxLodPixels'), ['768']);
  assert.deepEqual(texts(doc, 'Document/NetworkLink/name')[0], 'osm - (0, 1, 1)');
  assert.equal(texts(doc, 'Document/Region/LatLonAltBox/north')[0], '90.000000');
});

test('the initial document is tile 0/0/0; without a grid segment EPSG4326 is preferred', async (t) => {
  const { service } = setup();
  const doc = await kml(t, service, '/kml/osm');
  assert.deepEqual(hrefs(doc, 'Document/GroundOverlay/Icon/href'), [
    'http://localhost:8080/kml/osm/EPSG4326/1/0/0.jpeg',
    'http://localhost:8080/kml/osm/EPSG4326/1/1/0.jpeg',
  ]);
  const merc = await kml(t, service, '/kml/osm/EPSG900913/');
  assert.equal(select(merc, 'Document/GroundOverlay').length, 4);
});

test('nw grids: request rows count from the bottom and sub tile links are flipped back', async (t) => {
  const { service } = setup();
  const doc = await kml(t, service, '/kml/nw/EPSG3857/1/0/0.kml');
  assert.deepEqual(box(doc, 'Document/Region/LatLonAltBox'), [-180, -90, 0, 0]);
  assert.deepEqual(hrefs(doc, 'Document/NetworkLink/Link/href'), [
    'http://localhost:8080/kml/nw/EPSG3857/2/0/1.kml',
    'http://localhost:8080/kml/nw/EPSG3857/2/1/1.kml',
    'http://localhost:8080/kml/nw/EPSG3857/2/0/0.kml',
    'http://localhost:8080/kml/nw/EPSG3857/2/1/0.kml',
  ]);
  const [first] = select(doc, 'Document/GroundOverlay');
  const [west, south, east, north] = box(first!, 'LatLonBox');
  assert.deepEqual([west, east, north], [-180, -90, 0]);
  assert.ok(Math.abs(south! - -66.51326) < 1e-5, String(south));
});

test('the last level has no sub tiles', async (t) => {
  const { service } = setup();
  const doc = await kml(t, service, '/kml/osm/EPSG900913/19/0/0.kml');
  assert.deepEqual(select(doc, 'Document/NetworkLink'), []);
});

test('tile images: sw rows at grid levels, always with tile caching', async () => {
  const { service, layers } = setup();
  const res = await service.handle(serviceRequest('/kml/nw/EPSG3857/1/0/0.png'));
  assert.deepEqual([res.status, res.contentType], [200, 'image/png']);
  assert.deepEqual(res.cache, { kind: 'tile', timestampMs: 1234567890000, maxAgeSeconds: 600 });
  assert.deepEqual(layers[2]?.requested, [{ x: 0, y: 1, z: 1 }]);
  await service.handle(serviceRequest('/kml/osm/EPSG900913/1/1/0.jpeg'));
  assert.deepEqual(layers[0]?.requested, [{ x: 1, y: 0, z: 1 }]);
});

test('errors are plain text: 404 for request errors, 500 for failing sources', async () => {
  const { service } = setup();
  const outside = 'The requested tile is outside the bounding box of the tile map.';
  const cases: [string, number, string][] = [
    ['/kml/inVAlid/0/0/0.png', 404, 'unknown layer: inVAlid'],
    ['/kml/osm/EPSG900913/0/0/1.png', 404, 'invalid format (png). this tile set only supports (jpeg)'],
    ['/kml/osm/EPSG900913/0/0/1.kml', 404, outside],
    ['/kml/osm/EPSG900913/-1/0/0.kml', 404, outside],
    ['/kml/osm/EPSG900913/1/2/0.jpeg', 404, outside],
    ['/kml/osm/EPSG900913/1/0/0.jpeg/x/y', 200, ''],
    ['/kml/osm/a/b/c/d', 404, 'invalid request (/kml/osm/a/b/c/d)'],
    ['/kml/bad/EPSG900913/0/0/0.png', 500, 'No response from URL (see logs for URL and reason).'],
  ];
  for (const [path, status, body] of cases) {
    const res = await service.handle(serviceRequest(path));
    assert.equal(res.status, status, path);
    if (status === 200) continue;
    assert.deepEqual(
      [res.contentType, res.body, res.cache],
      ['text/plain; charset=utf-8', body, { kind: 'no-cache' }],
      path,
    );
  }
});

test('layer names are escaped in the document', async () => {
  const { service } = setup();
  const res = await service.handle(serviceRequest('/kml/a&b/EPSG900913/0/0/0.kml'));
  assert.ok(!String(res.body).includes('a&b'));
  const doc = parseXml(String(res.body));
  assert.deepEqual(texts(doc, 'Document/name'), ['a&b']);
  assert.equal(
    texts(doc, 'Document/GroundOverlay/Icon/href')[0],
    'http://localhost:8080/kml/a&b/EPSG900913/1/0/1.png',
  );
});
