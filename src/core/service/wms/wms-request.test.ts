import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OgcError } from '../errors.js';
import { parseBgcolor, parseMapRequest, parseRequestType } from './wms-request.js';

const base = {
  request: 'GetMap',
  layers: 'a',
  styles: '',
  bbox: '45,5,55,15',
  width: '100',
  height: '50',
  format: 'image/png',
};

test('WMS 1.3.0 flips the bbox of a north/east CRS but not of CRS:84 or 1.1.1 requests', () => {
  assert.deepEqual(
    parseMapRequest({ ...base, version: '1.3.0', crs: 'EPSG:4326' }, '1.3.0').bbox,
    [5, 45, 15, 55],
  );
  assert.deepEqual(
    parseMapRequest({ ...base, version: '1.3.0', crs: 'CRS:84' }, '1.3.0').bbox,
    [45, 5, 55, 15],
  );
  assert.deepEqual(
    parseMapRequest({ ...base, version: '1.1.1', srs: 'EPSG:4326' }, '1.1.1').bbox,
    [45, 5, 55, 15],
  );
});

test('missing parameters are listed as MapProxy does; 1.3.0 wants crs', () => {
  assert.throws(() => parseMapRequest({ request: 'GetMap', version: '1.3.0', srs: 'EPSG:4326' }, '1.3.0'), {
    message: "missing parameters ['layers', 'styles', 'crs', 'bbox', 'width', 'height', 'format']",
  });
});

test('rejects an inverted bbox and unknown styles with their codes', () => {
  assert.throws(
    () => parseMapRequest({ ...base, version: '1.1.1', srs: 'EPSG:4326', bbox: '5,45,4,55' }, '1.1.1'),
    {
      message: 'invalid bbox 5,45,4,55',
    },
  );
  assert.throws(
    () => parseMapRequest({ ...base, version: '1.1.1', srs: 'EPSG:4326', styles: 'fancy' }, '1.1.1'),
    (error: unknown) => error instanceof OgcError && error.ogcCode === 'StyleNotDefined',
  );
  assert.doesNotThrow(() =>
    parseMapRequest({ ...base, version: '1.1.1', srs: 'EPSG:4326', styles: 'default,' }, '1.1.1'),
  );
});

test('request types and bgcolor parse like MapProxy', () => {
  assert.equal(parseRequestType({ request: 'feature_info' }), 'featureinfo');
  assert.equal(parseRequestType({ request: 'Foo' }), 'foo');
  assert.equal(parseRequestType({}), null);
  assert.deepEqual(parseBgcolor('0xff8000'), [255, 128, 0]);
  assert.deepEqual(parseBgcolor(undefined), [255, 255, 255]);
});

test("width, height and bbox are read as MapProxy's float() reads them: 0x100 is no size, 1_000 and 256.9 are", () => {
  const parse = (extra: Record<string, string>): ReturnType<typeof parseMapRequest> =>
    parseMapRequest({ ...base, version: '1.1.1', srs: 'EPSG:4326', ...extra }, '1.1.1');
  assert.throws(
    () => parse({ height: '0x100' }),
    (error: unknown) => error instanceof OgcError && error.ogcCode === 'InvalidParameterValue',
  );
  assert.throws(() => parse({ width: '0b1' }), { message: 'invalid size 0b1x50' });
  assert.deepEqual(parse({ width: '1_000', height: ' 256.9 ' }).size, [1000, 256]);
  assert.throws(() => parse({ bbox: '0x2d,5,55,15' }), { message: 'invalid bbox 0x2d,5,55,15' });
  assert.deepEqual(parse({ bbox: '4_5,5,55,15' }).bbox, [45, 5, 55, 15]);
});
