/** WMTS KVP and RESTful through `WmtsKvpService` / `WmtsRestService`. */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { assertValidXml } from '../../../../test/schemas/validate-xml.js';
import { parseXml, select, texts, type XmlElement } from '../../../../test/schemas/xml-tree.js';
import { createTileGrid } from '../../grid/index.js';
import type { FeatureInfoDoc, FeatureInfoSource, InfoQuery } from '../../layer/index.js';
import { ProxyError } from '../../util/index.js';
import {
  ServiceError,
  WmtsKvpService,
  WmtsRestService,
  type ServiceMetadata,
  type ServiceResponse,
} from '../index.js';
import { FakeTileLayer } from '../testing/fake-tile-layer.js';
import { grid, serviceRequest } from '../testing/fixtures.js';

const GEODETIC_NW = createTileGrid({ name: 'geodetic_nw', srs: 'EPSG:4326', origin: 'nw' });

const METADATA: ServiceMetadata = {
  title: 'Tiles <&>',
  abstract: 'About',
  keywordList: [{ vocabulary: 'GEMET', keywords: ['roads', 'rivers'] }, { keywords: ['maps'] }],
  onlineResource: 'http://example.org/',
  contact: { person: 'Jane', organization: 'Org & Co', postcode: 53111, email: 'j@example.org' },
  accessConstraints: 'None at all',
};

function makeLayers(options: { cacheable?: boolean; failWith?: Error } = {}) {
  const layers = [
    ...['GLOBAL_WEBMERCATOR', 'GLOBAL_MERCATOR', 'GLOBAL_GEODETIC'].map(
      (gridName) =>
        new FakeTileLayer({ name: 'osm', title: 'OSM <&>', gridName, grid: grid(gridName), ...options }),
    ),
    new FakeTileLayer({ name: 'utm', gridName: 'utm32', grid: grid('utm32'), format: 'image/jpeg' }),
    new FakeTileLayer({ name: 'geo', gridName: 'geodetic_nw', grid: GEODETIC_NW }),
  ];
  return { layers, byGrid: (name: string) => layers.find((l) => l.gridName === name)! };
}

function kvp(query: Record<string, string>, path = '/service') {
  return serviceRequest(path, { service: 'WMTS', ...query });
}

const TILE = {
  request: 'GetTile',
  version: '1.0.0',
  layer: 'osm',
  style: '',
  tilematrixset: 'GLOBAL_WEBMERCATOR',
  tilematrix: '01',
  tilerow: '0',
  tilecol: '0',
  format: 'image/png',
};

async function capabilities(t: TestContext, res: ServiceResponse): Promise<XmlElement> {
  assert.equal(res.status, 200);
  assert.equal(res.contentType, 'application/xml');
  assert.deepEqual(res.cache, { kind: 'none' });
  await assertValidXml(t, String(res.body), 'wmts/1.0/wmtsGetCapabilities_response.xsd');
  return parseXml(String(res.body));
}

async function exceptionOf(
  t: TestContext,
  res: ServiceResponse,
): Promise<[number, string, string, string | undefined]> {
  assert.equal(res.contentType, 'text/xml');
  assert.deepEqual(res.cache, { kind: 'no-cache' });
  await assertValidXml(t, String(res.body), 'ows/1.1.0/owsExceptionReport.xsd');
  const [exception] = select(parseXml(String(res.body)), 'ows:Exception');
  assert.ok(exception !== undefined);
  return [
    res.status,
    exception.attributes.exceptionCode ?? '',
    texts(exception, 'ows:ExceptionText')[0] ?? '',
    exception.attributes.locator,
  ];
}

test('KVP capabilities: valid WMTS 1.0.0 with KVP endpoints and no ResourceURLs', async (t) => {
  const service = new WmtsKvpService({ layers: makeLayers().layers, metadata: METADATA });
  for (const path of ['/service', '/ows']) {
    const doc = await capabilities(t, await service.handle(kvp({ request: 'GetCapabilities' }, path)));
    const hrefs = select(doc, 'ows:OperationsMetadata/ows:Operation/ows:DCP/ows:HTTP/ows:Get').map(
      (get) => get.attributes['xlink:href'],
    );
    assert.deepEqual(hrefs, Array(3).fill(`http://localhost:8080${path}?`));
    assert.deepEqual(select(doc, '//ResourceURL'), []);
    assert.deepEqual(select(doc, 'ServiceMetadataURL'), []);
  }
});

test('capabilities publish grids addressable from the top left, with matrices per level', async (t) => {
  const service = new WmtsKvpService({ layers: makeLayers().layers });
  const doc = await capabilities(t, await service.handle(kvp({ request: 'getcapabilities' })));
  const layers = select(doc, 'Contents/Layer');
  assert.deepEqual(texts(doc, 'Contents/Layer/ows:Identifier'), ['osm', 'utm', 'geo']);
  // GLOBAL_GEODETIC (sw, half-empty first level) cannot be addressed from the top left: skipped
  assert.deepEqual(texts(layers[0]!, 'TileMatrixSetLink/TileMatrixSet'), [
    'GLOBAL_WEBMERCATOR',
    'GLOBAL_MERCATOR',
  ]);
  assert.deepEqual(texts(layers[1]!, 'Format'), ['image/jpeg']);
  assert.deepEqual(
    texts(layers[0]!, 'ows:WGS84BoundingBox/ows:LowerCorner').map((c) => c.split(' ').map(Number)),
    [[-180.00000000000003, -85.0511287798066]],
  );
  assert.deepEqual(texts(doc, 'Contents/TileMatrixSet/ows:Identifier'), [
    'GLOBAL_WEBMERCATOR',
    'GLOBAL_MERCATOR',
    'utm32',
    'geodetic_nw',
  ]);
  const sets = select(doc, 'Contents/TileMatrixSet');
  const first = (set: XmlElement) => select(set, 'TileMatrix')[0]!;
  const summary = (matrix: XmlElement) =>
    ['ows:Identifier', 'ScaleDenominator', 'TopLeftCorner', 'MatrixWidth', 'MatrixHeight'].map(
      (name) => texts(matrix, name)[0],
    );
  assert.equal(select(sets[0]!, 'TileMatrix').length, 20);
  assert.deepEqual(texts(sets[0]!, 'ows:SupportedCRS'), ['EPSG:3857']);
  assert.deepEqual(summary(first(sets[0]!)), [
    '00',
    '559082264.0287176',
    '-20037508.342789244 20037508.342789244',
    '1',
    '1',
  ]);
  assert.deepEqual(summary(select(sets[1]!, 'TileMatrix')[3]!), [
    '03',
    '69885283.0035897',
    '-20037508.342789244 20037508.342789248',
    '8',
    '8',
  ]);
  // local grid: partial tiles at the right/bottom edge
  assert.deepEqual(summary(first(sets[2]!)), ['00', '3571428.571428571', '280000.0 6100000.0', '3', '4']);
  // EPSG:4326 is north/east: the corner is lat lon; scales use metres per degree (MapProxy's constant)
  assert.deepEqual(summary(first(sets[3]!)), ['00', '559082264.0287179', '90.0 -180.0', '1', '1']);
  assert.deepEqual(summary(select(sets[3]!, 'TileMatrix')[1]!), [
    '01',
    '279541132.01435894',
    '90.0 -180.0',
    '2',
    '1',
  ]);
});

test('metadata fills ServiceIdentification and ServiceProvider, escaped', async (t) => {
  const service = new WmtsKvpService({ layers: makeLayers().layers, metadata: METADATA });
  const res = await service.handle(kvp({ request: 'GetCapabilities' }));
  assert.ok(!String(res.body).includes('<&>'));
  const doc = await capabilities(t, res);
  assert.deepEqual(texts(doc, 'ows:ServiceIdentification/ows:Title'), ['Tiles <&>']);
  assert.deepEqual(texts(doc, 'ows:ServiceIdentification/ows:Keywords/ows:Keyword'), [
    'roads',
    'rivers',
    'maps',
  ]);
  assert.deepEqual(texts(doc, 'ows:ServiceIdentification/ows:Keywords/ows:Type'), ['GEMET']);
  assert.deepEqual(texts(doc, 'ows:ServiceIdentification/ows:Fees'), ['none']);
  assert.deepEqual(texts(doc, 'ows:ServiceIdentification/ows:AccessConstraints'), ['None at all']);
  assert.deepEqual(texts(doc, 'ows:ServiceProvider/ows:ProviderName'), ['Org & Co']);
  assert.equal(
    select(doc, 'ows:ServiceProvider/ows:ProviderSite')[0]?.attributes['xlink:href'],
    'http://example.org/',
  );
  assert.deepEqual(texts(doc, '//ows:PostalCode'), ['53111']);
  assert.deepEqual(texts(doc, 'Contents/Layer/ows:Title'), ['OSM <&>', 'utm', 'geo']);
  const bare = await capabilities(
    t,
    await new WmtsKvpService({ layers: [] }).handle(kvp({ request: 'GetCapabilities' })),
  );
  assert.deepEqual(select(bare, 'ows:ServiceProvider'), []);
  assert.deepEqual(select(bare, '//ows:Keywords'), []);
});

test('RESTful capabilities: ResourceURL templates and ServiceMetadataURL instead of OperationsMetadata', async (t) => {
  const service = new WmtsRestService({ layers: makeLayers().layers });
  const req = serviceRequest('/wmts/1.0.0/WMTSCapabilities.xml', {}, 'http://example.org/maps');
  const doc = await capabilities(t, await service.handle(req));
  assert.deepEqual(select(doc, 'ows:OperationsMetadata'), []);
  assert.deepEqual(
    select(doc, 'Contents/Layer/ResourceURL').map((r) => [r.attributes.format, r.attributes.template]),
    [
      ['image/png', 'http://example.org/maps/wmts/osm/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}.png'],
      [
        'image/jpeg',
        'http://example.org/maps/wmts/utm/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}.jpeg',
      ],
      ['image/png', 'http://example.org/maps/wmts/geo/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}.png'],
    ],
  );
  assert.equal(
    select(doc, 'ServiceMetadataURL')[0]?.attributes['xlink:href'],
    'http://example.org/maps/wmts/1.0.0/WMTSCapabilities.xml',
  );
  const custom = new WmtsRestService({
    layers: makeLayers().layers,
    restfulTemplate: '/{Time}/{Layer}/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}.{Format}',
  });
  const customDoc = await capabilities(
    t,
    await custom.handle(serviceRequest('/wmts/1.0.0/WMTSCapabilities.xml')),
  );
  assert.equal(
    select(customDoc, 'Contents/Layer/ResourceURL')[0]?.attributes.template,
    'http://localhost:8080/wmts/{Time}/osm/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}.png',
  );
});

test('KVP GetTile: TileMatrix 01 is level 1, rows count from the top, FORMAT as mime or extension', async () => {
  const { layers, byGrid } = makeLayers();
  const service = new WmtsKvpService({ layers, now: () => 42, maxAgeSeconds: 3600 });
  const cases: [Record<string, string>, string, { x: number; y: number; z: number }][] = [
    [{}, 'GLOBAL_WEBMERCATOR', { x: 0, y: 0, z: 1 }],
    [{ tilematrix: '1', tilerow: '1', format: 'png' }, 'GLOBAL_WEBMERCATOR', { x: 0, y: 1, z: 1 }],
    [
      { tilematrixset: 'GLOBAL_MERCATOR', tilerow: '0', tilecol: '1' },
      'GLOBAL_MERCATOR',
      { x: 1, y: 1, z: 1 },
    ],
    [
      { tilematrixset: 'GLOBAL_MERCATOR', tilematrix: '2', tilerow: '3', format: '' },
      'GLOBAL_MERCATOR',
      { x: 0, y: 0, z: 2 },
    ],
    [
      { layer: 'geo', tilematrixset: 'geodetic_nw', tilematrix: '1', tilecol: '1' },
      'geodetic_nw',
      { x: 1, y: 0, z: 1 },
    ],
  ];
  for (const [query, gridName, expected] of cases) {
    const layer = byGrid(gridName);
    layer.requested.length = 0;
    const res = await service.handle(kvp({ ...TILE, ...query }));
    assert.equal(res.status, 200, JSON.stringify(query));
    assert.equal(res.contentType, 'image/png');
    assert.deepEqual(res.cache, { kind: 'tile', timestampMs: 1234567890000, maxAgeSeconds: 3600 });
    assert.deepEqual(layer.requested, [expected], JSON.stringify(query));
  }
});

test('WMTS sends tile cache headers even for tiles the layer marks uncacheable', async () => {
  const service = new WmtsKvpService({ layers: makeLayers({ cacheable: false }).layers });
  const res = await service.handle(kvp(TILE));
  assert.equal(res.cache.kind, 'tile');
});

test('RESTful GetTile with the default and custom templates', async () => {
  const { layers, byGrid } = makeLayers();
  const service = new WmtsRestService({ layers });
  const cases: [string, string, { x: number; y: number; z: number }][] = [
    ['/wmts/osm/GLOBAL_WEBMERCATOR/1/0/1.png', 'GLOBAL_WEBMERCATOR', { x: 0, y: 1, z: 1 }],
    ['/wmts/osm/GLOBAL_MERCATOR/2/3/0.png', 'GLOBAL_MERCATOR', { x: 3, y: 3, z: 2 }],
    ['/wmts/utm/utm32/02/9/14.jpeg', 'utm32', { x: 9, y: 14, z: 2 }],
  ];
  for (const [path, gridName, expected] of cases) {
    const res = await service.handle(serviceRequest(path));
    assert.equal(res.status, 200, path);
    assert.deepEqual(byGrid(gridName).requested.at(-1), expected, path);
  }
  const custom = new WmtsRestService({
    layers,
    restfulTemplate: '/myrest/{Layer}/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}.{Format}',
  });
  assert.equal(
    (await custom.handle(serviceRequest('/wmts/myrest/osm/GLOBAL_WEBMERCATOR/0/0/0.png'))).status,
    200,
  );
  const noFormat = new WmtsRestService({
    layers,
    restfulTemplate: '/{Layer}/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}',
  });
  const res = await noFormat.handle(serviceRequest('/wmts/utm/utm32/0/1/2'));
  assert.deepEqual([res.status, res.contentType], [200, 'image/jpeg']);
});

test('RESTful dimensions: `default` is accepted, other values are unknown dimensions', async (t) => {
  const service = new WmtsRestService({
    layers: makeLayers().layers,
    restfulTemplate: '/{Layer}/{Time}/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}.{Format}',
  });
  assert.equal(
    (await service.handle(serviceRequest('/wmts/osm/default/GLOBAL_WEBMERCATOR/0/0/0.png'))).status,
    200,
  );
  const res = await service.handle(serviceRequest('/wmts/osm/2024-01-01/GLOBAL_WEBMERCATOR/0/0/0.png'));
  assert.deepEqual((await exceptionOf(t, res)).slice(0, 3), [
    400,
    'InvalidParameterValue',
    'unknown dimension: time',
  ]);
});

test('KVP request errors: status, exception code and message per MapProxy', async (t) => {
  const service = new WmtsKvpService({
    layers: makeLayers().layers,
    featureInfoFormats: [{ mimetype: 'application/json', suffix: 'geojson' }],
  });
  const outside = 'The requested tile is outside the bounding box of the tile map.';
  const cases: [Record<string, string>, number, string, string][] = [
    [{ ...TILE, layer: 'nope' }, 400, 'InvalidParameterValue', 'unknown layer: nope'],
    [{ ...TILE, tilematrixset: 'foo' }, 400, 'InvalidParameterValue', 'unknown tilematrixset: foo'],
    [
      { ...TILE, tilematrixset: 'GLOBAL_GEODETIC' },
      400,
      'InvalidParameterValue',
      'unknown tilematrixset: GLOBAL_GEODETIC',
    ],
    [
      { ...TILE, format: 'image/jpeg' },
      400,
      'InvalidParameterValue',
      'invalid format (jpeg). this tile set only supports (png)',
    ],
    [{ ...TILE, tilerow: '2' }, 400, 'TileOutOfRange', outside],
    [{ ...TILE, tilecol: '-1' }, 400, 'TileOutOfRange', outside],
    [{ ...TILE, tilematrix: '20' }, 400, 'TileOutOfRange', outside],
    [{ ...TILE, tilematrix: '-1' }, 400, 'TileOutOfRange', outside],
    [{ ...TILE, tilecol: 'a' }, 400, 'InvalidParameterValue', 'invalid value for tilecol: a'],
    [
      { request: 'GetTile', layer: 'osm' },
      400,
      'NoApplicableCode',
      "missing parameters ['version', 'style', 'tilematrixset', 'tilematrix', 'tilerow', 'tilecol', 'format']",
    ],
    // MapProxy 1.15 answers these three with a 500; they are the client's errors (docs/differences.md)
    [{ request: 'GetFoo' }, 400, 'NoApplicableCode', "unknown WMTS request type 'None'"],
    [{}, 400, 'NoApplicableCode', "unknown WMTS request type 'None'"],
    [{ ...TILE, styles: 'fancy' }, 400, 'StyleNotDefined', 'unsupported styles: fancy'],
    [
      { ...TILE, request: 'GetFeatureInfo', infoformat: 'application/json', i: '1', j: '2' },
      501,
      'OperationNotSupported',
      'layer osm not queryable',
    ],
    [
      { ...TILE, request: 'GetFeatureInfo', infoformat: 'text/html', i: '1', j: '2' },
      400,
      'InvalidParameterValue',
      'unknown infoformat: text/html',
    ],
  ];
  for (const [query, status, code, message] of cases) {
    const res = await service.handle(kvp(query));
    assert.deepEqual((await exceptionOf(t, res)).slice(0, 3), [status, code, message], JSON.stringify(query));
  }
  // MapProxy 1.15 answers an unknown layer, matrix set or info format without a locator:
  //   <ows:Exception exceptionCode="InvalidParameterValue">
  //     <ows:ExceptionText>unknown layer: nosuchlayer</ows:ExceptionText>
  // (corpus differential seed 24, auth: INFOFORMAT=text/nosuchformat, ours said locator="infoformat")
  for (const query of [
    { ...TILE, layer: 'nope' },
    { ...TILE, tilematrixset: 'foo' },
    { ...TILE, request: 'GetFeatureInfo', infoformat: 'text/html', i: '1', j: '2' },
  ]) {
    const report = await exceptionOf(t, await service.handle(kvp(query)));
    assert.equal(report[3], undefined, JSON.stringify(query));
  }
});

test('RESTful errors: template mismatch is a plain 404 (MapProxy: 500), the rest ExceptionReports', async (t) => {
  const service = new WmtsRestService({ layers: makeLayers().layers });
  const bad = await service.handle(serviceRequest('/wmts/foo'));
  assert.deepEqual(
    [bad.status, bad.contentType, bad.body, bad.cache],
    [404, 'text/plain; charset=utf-8', 'invalid request (/wmts/foo)', { kind: 'no-cache' }],
  );
  const format = await service.handle(serviceRequest('/wmts/osm/GLOBAL_WEBMERCATOR/1/0/0.jpeg'));
  assert.deepEqual((await exceptionOf(t, format)).slice(0, 2), [400, 'InvalidParameterValue']);
  const range = await service.handle(serviceRequest('/wmts/osm/GLOBAL_WEBMERCATOR/1/0/2.png'));
  assert.deepEqual((await exceptionOf(t, range)).slice(0, 2), [400, 'TileOutOfRange']);
  const fi = await service.handle(serviceRequest('/wmts/osm/GLOBAL_WEBMERCATOR/1/0/0/5/5.geojson'));
  assert.deepEqual((await exceptionOf(t, fi)).slice(0, 3), [
    400,
    'InvalidParameterValue',
    'unknown infoformat: geojson',
  ]);
});

test('a failing source is a 500 NoApplicableCode with the source message', async (t) => {
  const failWith = new ProxyError('HTTP Error (see logs for URL and reason).', 'SOURCE_HTTP');
  const service = new WmtsKvpService({ layers: makeLayers({ failWith }).layers });
  const res = await service.handle(kvp(TILE));
  assert.deepEqual((await exceptionOf(t, res)).slice(0, 3), [
    500,
    'NoApplicableCode',
    'HTTP Error (see logs for URL and reason).',
  ]);
});

test('request values are escaped in exception reports', async (t) => {
  const service = new WmtsKvpService({ layers: makeLayers().layers });
  const res = await service.handle(kvp({ ...TILE, layer: '<script>alert("x")</script>' }));
  assert.ok(!String(res.body).includes('<script>'));
  assert.deepEqual((await exceptionOf(t, res))[2], 'unknown layer: <script>alert("x")</script>');
});

test('templates without the required variables are refused when the service is built', () => {
  assert.throws(
    () =>
      new WmtsRestService({ layers: [], restfulTemplate: '/{Layer}/{TileMatrix}/{TileCol}/{TileRow}.png' }),
    {
      name: 'ServiceError',
      code: 'SERVICE_INVALID_TEMPLATE',
      message: 'missing required variables in WMTS restful template: TileMatrixSet',
    },
  );
  assert.throws(
    () =>
      new WmtsRestService({
        layers: [],
        restfulFeatureInfoTemplate: '/{Layer}/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}',
      }),
    ServiceError,
  );
});

test('GetFeatureInfo asks every info source about the tile counted from the top and merges the answers', async (t) => {
  const queries: InfoQuery[] = [];
  const answering = (doc: FeatureInfoDoc | null): FeatureInfoSource => ({
    getFeatureInfo: (query) => {
      queries.push(query);
      return Promise.resolve(doc);
    },
  });
  const json = (text: string): FeatureInfoDoc => ({
    data: Buffer.from(text),
    contentType: 'application/json',
  });
  const layer = (infoSources: FeatureInfoSource[]) => [
    new FakeTileLayer({
      name: 'osm',
      gridName: 'GLOBAL_MERCATOR',
      grid: grid('GLOBAL_MERCATOR'),
      infoSources,
    }),
  ];
  const featureInfoFormats = [{ mimetype: 'application/json', suffix: 'json' }];
  const query = {
    ...TILE,
    request: 'GetFeatureInfo',
    tilematrixset: 'GLOBAL_MERCATOR',
    tilecol: '1',
    infoformat: 'application/json',
    i: '3',
    j: '4',
    feature_count: '7',
  };
  const merged = new WmtsKvpService({
    layers: layer([answering(json('{"a": [1]}')), answering(null), answering(json('{"a": [2], "b": 1}'))]),
    featureInfoFormats,
  });
  const res = await merged.handle(kvp(query));
  assert.equal(res.status, 200);
  assert.equal(res.contentType, 'application/json');
  assert.equal(String(res.body), '{"a": [1, 2], "b": 1}');
  assert.equal(queries.length, 3);
  const [first] = queries;
  assert.ok(first !== undefined);
  // GLOBAL_MERCATOR has a lower-left origin: row 0 from the top is the northern half
  assert.deepEqual(first.bbox, [0, 0, 20037508.342789244, 20037508.342789244]);
  assert.deepEqual(
    [first.size, first.pos, first.infoFormat, first.featureCount],
    [[256, 256], [3, 4], 'application/json', '7'],
  );
  assert.equal(first.srs.code, 'EPSG:900913');

  const empty = new WmtsKvpService({ layers: layer([answering(null)]), featureInfoFormats });
  const none = await empty.handle(kvp(query));
  assert.deepEqual([none.status, none.contentType, String(none.body)], [200, 'application/json', '']);
  assert.deepEqual((await exceptionOf(t, await empty.handle(kvp({ ...query, tilerow: '2' })))).slice(0, 2), [
    400,
    'TileOutOfRange',
  ]);

  const failing = new WmtsKvpService({
    layers: layer([{ getFeatureInfo: () => Promise.reject(new ProxyError('upstream down', 'SOURCE_HTTP')) }]),
    featureInfoFormats,
  });
  assert.deepEqual((await exceptionOf(t, await failing.handle(kvp(query)))).slice(0, 3), [
    500,
    'NoApplicableCode',
    'upstream down',
  ]);
});
