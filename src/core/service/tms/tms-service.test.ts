/** TMS and /tiles through `TmsService`: documents, coordinate conversions, errors and caching. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseXml, select, texts } from '../../../../test/schemas/xml-tree.js';
import { ProxyError } from '../../util/index.js';
import { TmsService, type TmsServiceOptions } from '../index.js';
import { FakeTileLayer } from '../testing/fake-tile-layer.js';
import { grid, serviceRequest } from '../testing/fixtures.js';

function osmLayers(): FakeTileLayer[] {
  return ['GLOBAL_WEBMERCATOR', 'GLOBAL_MERCATOR', 'GLOBAL_GEODETIC'].map(
    (gridName) => new FakeTileLayer({ name: 'osm', title: 'OSM', gridName, grid: grid(gridName) }),
  );
}

function setup(options: Partial<TmsServiceOptions> = {}, layers: FakeTileLayer[] = osmLayers()) {
  const utm = new FakeTileLayer({
    name: 'utm',
    gridName: 'utm32',
    grid: grid('utm32'),
    format: 'image/jpeg',
  });
  const sqrt2 = new FakeTileLayer({ name: 'sq', gridName: 'sqrt2merc', grid: grid('sqrt2merc') });
  const all = [...layers, utm, sqrt2];
  const service = new TmsService({ layers: all, now: () => 42, ...options });
  return { service, layers: all, byGrid: (gridName: string) => all.find((l) => l.gridName === gridName)! };
}

test('the root resource points at the 1.0.0 TileMapService below the requested URL', async () => {
  const { service } = setup({ metadata: { title: 'My TMS' } });
  for (const path of ['/tms', '/tms/']) {
    const res = await service.handle(serviceRequest(path));
    assert.equal(res.status, 200);
    assert.equal(res.contentType, 'text/xml; charset=utf-8');
    assert.deepEqual(res.cache, { kind: 'none' });
    const [tms] = select(parseXml(String(res.body)), 'TileMapService');
    assert.deepEqual(tms?.attributes, {
      title: 'My TMS',
      version: '1.0.0',
      href: 'http://localhost:8080/tms/1.0.0/',
    });
  }
});

test('capabilities list every layer and grid with profile, OSGEO:41001 and EPSG href', async () => {
  const { service } = setup({ metadata: { title: 'T', abstract: 'A' } });
  for (const path of ['/tms/1.0.0', '/tms/1.0.0/']) {
    const doc = parseXml(String((await service.handle(serviceRequest(path))).body));
    assert.deepEqual(texts(doc, 'Title'), ['T']);
    assert.deepEqual(
      select(doc, 'TileMaps/TileMap').map((m) => [m.attributes.srs, m.attributes.profile, m.attributes.href]),
      [
        ['OSGEO:41001', 'global-mercator', 'http://localhost:8080/tms/1.0.0/osm/EPSG3857'],
        ['OSGEO:41001', 'global-mercator', 'http://localhost:8080/tms/1.0.0/osm/EPSG900913'],
        ['EPSG:4326', 'global-geodetic', 'http://localhost:8080/tms/1.0.0/osm/EPSG4326'],
        ['EPSG:25832', 'local', 'http://localhost:8080/tms/1.0.0/utm/EPSG25832'],
        ['OSGEO:41001', 'global-mercator', 'http://localhost:8080/tms/1.0.0/sq/EPSG900913'],
      ],
    );
  }
});

test('a TileMap skips the first level of global profiles and every odd level of sqrt2 grids', async () => {
  const { service } = setup();
  const merc = parseXml(String((await service.handle(serviceRequest('/tms/1.0.0/osm/EPSG900913'))).body));
  const sets = select(merc, 'TileSets/TileSet');
  assert.equal(sets.length, 19);
  assert.deepEqual(sets[0]?.attributes, {
    href: 'http://localhost:8080/tms/1.0.0/osm/EPSG900913/0',
    'units-per-pixel': '78271.51696402048',
    order: '0',
  });
  assert.deepEqual(select(merc, 'TileFormat')[0]?.attributes, {
    width: '256',
    height: '256',
    'mime-type': 'image/png',
    extension: 'png',
  });
  assert.deepEqual(select(merc, 'Origin')[0]?.attributes, {
    x: '-20037508.342789244',
    y: '-20037508.342789244',
  });

  const utm = parseXml(String((await service.handle(serviceRequest('/tms/1.0.0/utm/EPSG25832'))).body));
  assert.deepEqual(
    select(utm, 'TileSets/TileSet').map((s) => s.attributes['units-per-pixel']),
    ['1000.0', '500.0', '250.0'],
  );
  assert.deepEqual(select(utm, 'BoundingBox')[0]?.attributes, {
    minx: '280000.0',
    miny: '5200000.0',
    maxx: '920000.0',
    maxy: '6100000.0',
  });

  const sqrt2 = parseXml(String((await service.handle(serviceRequest('/tms/1.0.0/sq/EPSG900913'))).body));
  const res = grid('sqrt2merc').resolutions;
  assert.deepEqual(
    select(sqrt2, 'TileSets/TileSet').map((s) => Number(s.attributes['units-per-pixel'])),
    [res[2], res[4], res[6]],
  );
});

test('a layer name without grid falls back to EPSG900913, then EPSG4326', async () => {
  const { service } = setup();
  const doc = parseXml(String((await service.handle(serviceRequest('/tms/1.0.0/osm'))).body));
  assert.deepEqual(texts(doc, 'SRS'), ['OSGEO:41001']);
  assert.equal(select(doc, 'TileSets/TileSet')[0]?.attributes.href, 'http://localhost:8080/tms/1.0.0/osm/0');
  const geodetic = setup(
    {},
    osmLayers().filter((l) => l.gridName === 'GLOBAL_GEODETIC'),
  );
  const res = await geodetic.service.handle(serviceRequest('/tms/1.0.0/osm/0/0/0.png'));
  assert.equal(res.status, 200);
  assert.deepEqual(geodetic.byGrid('GLOBAL_GEODETIC').requested, [{ x: 0, y: 0, z: 1 }]);
  const underscore = await service.handle(serviceRequest('/tms/1.0.0/osm_EPSG4326'));
  assert.deepEqual(texts(parseXml(String(underscore.body)), 'SRS'), ['EPSG:4326']);
});

test('TMS tiles: public level + 1 on global profiles, sw rows flipped for nw grids, x2 on sqrt2', async () => {
  const { service, byGrid } = setup();
  const cases: [string, string, { x: number; y: number; z: number }][] = [
    ['/tms/1.0.0/osm/EPSG900913/0/0/0.png', 'GLOBAL_MERCATOR', { x: 0, y: 0, z: 1 }],
    ['/tms/1.0.0/osm/EPSG900913/1/3/2.png', 'GLOBAL_MERCATOR', { x: 3, y: 2, z: 2 }],
    ['/tms/osm/EPSG900913/1/3/2.png', 'GLOBAL_MERCATOR', { x: 3, y: 2, z: 2 }],
    ['/tms/1.0.0/osm/EPSG3857/1/0/0.png', 'GLOBAL_WEBMERCATOR', { x: 0, y: 3, z: 2 }],
    ['/tms/1.0.0/osm/EPSG4326/0/1/0.png', 'GLOBAL_GEODETIC', { x: 1, y: 0, z: 1 }],
    ['/tms/1.0.0/utm/EPSG25832/0/0/0.jpeg', 'utm32', { x: 0, y: 3, z: 0 }],
    ['/tms/1.0.0/sq/EPSG900913/0/1/1.png', 'sqrt2merc', { x: 1, y: 1, z: 2 }],
    ['/tms/1.0.0/sq/EPSG900913/1/0/0.png', 'sqrt2merc', { x: 0, y: 0, z: 4 }],
  ];
  for (const [path, gridName, expected] of cases) {
    const layer = byGrid(gridName);
    layer.requested.length = 0;
    const res = await service.handle(serviceRequest(path));
    assert.equal(res.status, 200, path);
    assert.deepEqual(layer.requested, [expected], path);
  }
});

test('/tiles uses grid levels and rows from ?origin=, the configured origin, or the grid', async () => {
  const { service, byGrid } = setup();
  const nwDefault = setup({ origin: 'nw' });
  const cases: [TmsService, string, Record<string, string>, string, { x: number; y: number; z: number }][] = [
    [service, '/tiles/osm/EPSG900913/1/0/0.png', {}, 'GLOBAL_MERCATOR', { x: 0, y: 0, z: 1 }],
    [service, '/tiles/osm/EPSG900913/1/0/0.png', { origin: 'nw' }, 'GLOBAL_MERCATOR', { x: 0, y: 1, z: 1 }],
    [service, '/tiles/osm/EPSG3857/2/1/0.png', {}, 'GLOBAL_WEBMERCATOR', { x: 1, y: 0, z: 2 }],
    [service, '/tiles/osm/EPSG3857/2/1/0.png', { origin: 'sw' }, 'GLOBAL_WEBMERCATOR', { x: 1, y: 3, z: 2 }],
    [service, '/tiles/osm/EPSG3857/2/1/0.png', { origin: 'NW' }, 'GLOBAL_WEBMERCATOR', { x: 1, y: 0, z: 2 }],
    [nwDefault.service, '/tiles/osm/EPSG900913/1/0/0.png', {}, 'GLOBAL_MERCATOR', { x: 0, y: 1, z: 1 }],
    [
      nwDefault.service,
      '/tiles/osm/EPSG900913/1/0/0.png',
      { origin: 'sw' },
      'GLOBAL_MERCATOR',
      { x: 0, y: 0, z: 1 },
    ],
    [service, '/tiles/1.0.0/osm/1/1/1.png', {}, 'GLOBAL_MERCATOR', { x: 1, y: 1, z: 1 }],
  ];
  for (const [svc, path, query, gridName, expected] of cases) {
    const layer = (svc === service ? byGrid : nwDefault.byGrid)(gridName);
    layer.requested.length = 0;
    const res = await svc.handle(serviceRequest(path, query));
    assert.equal(res.status, 200, `${path} ${JSON.stringify(query)}`);
    assert.deepEqual(layer.requested, [expected], `${path} ${JSON.stringify(query)}`);
  }
});

test('use_grid_names addresses layers as <layer>/<grid> and requires the grid segment', async () => {
  const { service, byGrid } = setup({ useGridNames: true });
  const caps = parseXml(String((await service.handle(serviceRequest('/tms/1.0.0/'))).body));
  assert.equal(
    select(caps, 'TileMaps/TileMap')[0]?.attributes.href,
    'http://localhost:8080/tms/1.0.0/osm/GLOBAL_WEBMERCATOR',
  );
  const res = await service.handle(serviceRequest('/tms/1.0.0/osm/GLOBAL_MERCATOR/0/0/0.png'));
  assert.equal(res.status, 200);
  assert.deepEqual(byGrid('GLOBAL_MERCATOR').requested, [{ x: 0, y: 0, z: 1 }]);
  const missing = await service.handle(serviceRequest('/tms/1.0.0/osm/0/0/0.png'));
  assert.equal(missing.status, 404);
  const epsg = await service.handle(serviceRequest('/tms/1.0.0/osm/EPSG900913'));
  assert.equal(epsg.status, 404);
});

test('TMS errors are TileMapServerError documents: 404 for request errors', async () => {
  const { service, layers } = setup();
  const cases: [string, string][] = [
    ['/tms/1.0.0/nolayer/0/0/0.png', 'unknown layer: nolayer'],
    ['/tms/1.0.0/osm/EPSG900913/0/0/0.jpeg', 'invalid format (jpeg). this tile set only supports (png)'],
    ['/tms/1.0.0/utm/EPSG25832/0/0/0.png', 'invalid format (png). this tile set only supports (jpeg)'],
    ['/tms/1.0.0/osm/', 'invalid request (/tms/1.0.0/osm/)'],
  ];
  for (const [z, x, y] of [
    [-1, 0, 0],
    [0, -1, 0],
    [0, 0, -1],
    [1, 4, 2],
    [0, 1, 3],
    [19, 0, 0],
  ]) {
    cases.push([
      `/tms/1.0.0/osm/EPSG900913/${z}/${x}/${y}.png`,
      'The requested tile is outside the bounding box of the tile map.',
    ]);
  }
  for (const [path, message] of cases) {
    const res = await service.handle(serviceRequest(path));
    assert.equal(res.status, 404, path);
    assert.equal(res.contentType, 'text/xml; charset=utf-8');
    assert.deepEqual(res.cache, { kind: 'no-cache' });
    const doc = parseXml(String(res.body));
    assert.equal(doc.name, 'TileMapServerError');
    assert.deepEqual(texts(doc, 'Message'), [message], path);
  }
  assert.deepEqual(
    layers.flatMap((l) => l.requested),
    [],
  );
});

test('/tiles errors are plain text', async () => {
  const { service } = setup();
  const cases: [string, number, string][] = [
    ['/tiles/foo', 404, 'invalid request (/tiles/foo)'],
    ['/tiles/nolayer/0/0/0.png', 404, 'unknown layer: nolayer'],
    ['/tiles/osm/EPSG900913/0/0/0.jpeg', 404, 'invalid format (jpeg). this tile set only supports (png)'],
    [
      '/tiles/osm/EPSG900913/1/2/0.png',
      404,
      'The requested tile is outside the bounding box of the tile map.',
    ],
  ];
  for (const [path, status, body] of cases) {
    const res = await service.handle(serviceRequest(path));
    assert.deepEqual(
      [res.status, res.contentType, res.body],
      [status, 'text/plain; charset=utf-8', body],
      path,
    );
    assert.deepEqual(res.cache, { kind: 'no-cache' });
  }
});

test('a failing source is a 500 with its message; other failures are not swallowed', async () => {
  const failing = new FakeTileLayer({
    name: 'bad',
    gridName: 'GLOBAL_MERCATOR',
    grid: grid('GLOBAL_MERCATOR'),
    failWith: new ProxyError('No response from URL (see logs for URL and reason).', 'SOURCE_HTTP'),
  });
  const bug = new FakeTileLayer({
    name: 'bug',
    gridName: 'GLOBAL_MERCATOR',
    grid: grid('GLOBAL_MERCATOR'),
    failWith: new TypeError('boom'),
  });
  const service = new TmsService({ layers: [failing, bug] });
  const tms = await service.handle(serviceRequest('/tms/1.0.0/bad/0/0/0.png'));
  assert.equal(tms.status, 500);
  assert.deepEqual(texts(parseXml(String(tms.body)), 'Message'), [
    'No response from URL (see logs for URL and reason).',
  ]);
  const tiles = await service.handle(serviceRequest('/tiles/bad/1/0/0.png'));
  assert.deepEqual([tiles.status, tiles.body], [500, 'No response from URL (see logs for URL and reason).']);
  await assert.rejects(service.handle(serviceRequest('/tms/1.0.0/bug/0/0/0.png')), TypeError);
});

test('tiles carry the stored bytes with tile caching; uncacheable ones get no-cache', async () => {
  const stored = new FakeTileLayer({ name: 'a', gridName: 'GLOBAL_MERCATOR', grid: grid('GLOBAL_MERCATOR') });
  const blank = new FakeTileLayer({
    name: 'b',
    gridName: 'GLOBAL_MERCATOR',
    grid: grid('GLOBAL_MERCATOR'),
    timestampMs: null,
  });
  const onError = new FakeTileLayer({
    name: 'c',
    gridName: 'GLOBAL_MERCATOR',
    grid: grid('GLOBAL_MERCATOR'),
    cacheable: false,
  });
  const service = new TmsService({ layers: [stored, blank, onError], maxAgeSeconds: 7200, now: () => 42 });
  const a = await service.handle(serviceRequest('/tms/1.0.0/a/0/0/0.png'));
  assert.equal(a.contentType, 'image/png');
  assert.ok(Buffer.isBuffer(a.body) && a.body.subarray(1, 4).toString() === 'PNG');
  assert.deepEqual(a.cache, { kind: 'tile', timestampMs: 1234567890000, maxAgeSeconds: 7200 });
  // a tile without a timestamp (a cache that keeps none) has none: no Last-Modified, as MapProxy
  const b = await service.handle(serviceRequest('/tiles/b/1/0/0.png'));
  assert.deepEqual(b.cache, { kind: 'tile', timestampMs: null, maxAgeSeconds: 7200 });
  const c = await service.handle(serviceRequest('/tms/1.0.0/c/0/0/0.png'));
  assert.deepEqual(c.cache, { kind: 'no-cache' });
});

test('titles, script URLs and request paths are escaped in every document', async () => {
  const layer = new FakeTileLayer({
    name: 'x',
    title: 'Roads <&> "Rivers"',
    gridName: 'GLOBAL_MERCATOR',
    grid: grid('GLOBAL_MERCATOR'),
  });
  const service = new TmsService({ layers: [layer], metadata: { title: '<b>T</b>', abstract: 'a & b' } });
  const evilScript = 'http://evil.example/"><script>x</script>';
  const caps = await service.handle(serviceRequest('/tms/1.0.0/', {}, evilScript));
  const capsBody = String(caps.body);
  assert.ok(!capsBody.includes('<script>') && !capsBody.includes('<&>') && !capsBody.includes('<b>'));
  const doc = parseXml(capsBody);
  assert.deepEqual(texts(doc, 'Title'), ['<b>T</b>']);
  assert.deepEqual(texts(doc, 'Abstract'), ['a & b']);
  assert.equal(select(doc, 'TileMaps/TileMap')[0]?.attributes.title, 'Roads <&> "Rivers"');
  assert.equal(select(doc, 'TileMaps/TileMap')[0]?.attributes.href, `${evilScript}/tms/1.0.0/x/EPSG900913`);
  const root = await service.handle(serviceRequest('/tms', {}, evilScript));
  assert.ok(!String(root.body).includes('<script>'));
  assert.equal(select(parseXml(String(root.body)), 'TileMapService')[0]?.attributes.title, '<b>T</b>');

  const error = await service.handle(serviceRequest('/tms/1.0.0/<script>alert(1)</script>/0/0/0.png'));
  assert.ok(!String(error.body).includes('<script>'));
  // MapProxy's path regex reads `<script>alert(1)<` as the layer and `script>` as the grid
  assert.deepEqual(texts(parseXml(String(error.body)), 'Message'), ['unknown layer: <script>alert(1)<']);
  const tileMap = await service.handle(serviceRequest('/tms/1.0.0/x/EPSG900913', {}, evilScript));
  assert.deepEqual(texts(parseXml(String(tileMap.body)), 'Title'), ['Roads <&> "Rivers"']);
  // the path goes into hrefs percent-encoded, like MapProxy's quoted base_url
  const quoted = await service.handle(serviceRequest('/tms/1.0.0/x/EPSG900913'));
  assert.ok(String(quoted.body).includes('href="http://localhost:8080/tms/1.0.0/x/EPSG900913/0"'));
});
