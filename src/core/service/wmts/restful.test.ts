/** RESTful URL templates: variables, dimensions, literal text and the deprecated `{{Var}}`. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  RestfulTemplate,
  TILE_TEMPLATE_REQUIRED,
  parseRestfulRequest,
  DEFAULT_RESTFUL_TEMPLATE,
  DEFAULT_RESTFUL_FEATUREINFO_TEMPLATE,
  FEATUREINFO_TEMPLATE_REQUIRED,
} from './restful.js';

test('variables become typed groups; unknown ones are dimensions, lower-cased', () => {
  const template = new RestfulTemplate(
    '/{Layer}/{Time}/{TileMatrixSet}/{TileMatrix}/{TileCol}/{TileRow}.{Format}',
    TILE_TEMPLATE_REQUIRED,
  );
  assert.deepEqual(template.dimensions, ['Time']);
  assert.deepEqual(template.match('/wmts/osm/2020-01-01T00:00/webmerc/3/-1/2.png'), {
    Layer: 'osm',
    time: '2020-01-01T00:00',
    TileMatrixSet: 'webmerc',
    TileMatrix: '3',
    TileCol: '-1',
    TileRow: '2',
    Format: 'png',
  });
  assert.equal(template.match('/wmts/osm/t/webmerc/x/0/0.png'), null);
});

test('literal template text is matched literally, and the old {{Var}} form still works', () => {
  const template = new RestfulTemplate(
    '/{{Layer}}/{{TileMatrixSet}}/{{TileMatrix}}/{{TileCol}}/{{TileRow}}.png',
    TILE_TEMPLATE_REQUIRED,
  );
  assert.equal(template.match('/wmts/osm/g/1/0/0xpng'), null);
  assert.equal(template.match('/wmts/osm/g/1/0/0.png')?.TileRow, '0');
});

test('requests: capabilities by suffix, then tile, then FeatureInfo, else null', () => {
  const tile = new RestfulTemplate(DEFAULT_RESTFUL_TEMPLATE, TILE_TEMPLATE_REQUIRED);
  const info = new RestfulTemplate(DEFAULT_RESTFUL_FEATUREINFO_TEMPLATE, FEATUREINFO_TEMPLATE_REQUIRED);
  assert.deepEqual(parseRestfulRequest('/wmts/1.0.0/WMTSCapabilities.xml', tile, info), {
    kind: 'capabilities',
  });
  assert.deepEqual(parseRestfulRequest('/wmts/osm/g/01/2/3.jpeg', tile, info), {
    kind: 'tile',
    layer: 'osm',
    tileMatrixSet: 'g',
    tile: { x: 2, y: 3, z: 1 },
    format: 'jpeg',
    dimensions: {},
  });
  assert.equal(parseRestfulRequest('/wmts/osm/g/1/2/3/4/5.json', tile, info)?.kind, 'featureinfo');
  assert.equal(parseRestfulRequest('/wmts/osm/g/1/2', tile, info), null);
});
