/**
 * GetMap URL building without HTTP: cases the system-level tests in source/ do not reach. Expected
 * strings follow MapProxy 1.15 `request/wms` (parameter order of `NoCaseMultiDict`, `quote(safe=',')`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWmsRequestTemplate, pyQuote, wmsGetMapPost, wmsGetMapUrl } from './index.js';

const QUERY = {
  bbox: [0, 40, 20, 50],
  size: [256, 128],
  srs: 'EPSG:4326',
  isAxisOrderNE: true,
  format: 'image/png',
} as const;

test('quotes like Python quote(safe=",")', () => {
  assert.equal(pyQuote('image/png'), 'image%2Fpng');
  assert.equal(pyQuote("a,b c:d~_.-!*'()"), 'a,b%20c%3Ad~_.-%21%2A%27%28%29');
  assert.equal(pyQuote('ü'), '%C3%BC');
});

test('the ? / & delimiter follows the configured URL', () => {
  const params = { layers: 'a' };
  assert.match(
    wmsGetMapUrl(createWmsRequestTemplate('http://h/wms', params), QUERY),
    /^http:\/\/h\/wms\?layers=a&/,
  );
  assert.match(
    wmsGetMapUrl(createWmsRequestTemplate('http://h/wms?', params), QUERY),
    /^http:\/\/h\/wms\?layers=a&/,
  );
  assert.match(
    wmsGetMapUrl(createWmsRequestTemplate('http://h/wms?map=x', params), QUERY),
    /^http:\/\/h\/wms\?map=x&layers=a&/,
  );
});

test('forwarded dimensions follow the format; a crs key in 1.3.0 req is moved to the end', () => {
  const template = createWmsRequestTemplate('http://h/wms', { layers: 'a', CRS: 'EPSG:4326' }, '1.3.0');
  assert.equal(
    wmsGetMapUrl(template, { ...QUERY, extra: { time: '2020-01-01' } }),
    'http://h/wms?layers=a&bbox=40.0,0.0,50.0,20.0&width=256&height=128&format=image%2Fpng&time=2020-01-01&request=GetMap&version=1.3.0&service=WMS&styles=&crs=EPSG%3A4326',
  );
});

test('a req key keeps its first spelling and position when the query sets it', () => {
  const template = createWmsRequestTemplate('http://h/wms', {
    LAYERS: 'a',
    STYLES: 'x',
    Format: 'image/gif',
  });
  assert.equal(
    wmsGetMapUrl(template, { ...QUERY, format: 'image/gif' }),
    'http://h/wms?LAYERS=a&STYLES=x&Format=image%2Fgif&bbox=0.0,40.0,20.0,50.0&width=256&height=128&srs=EPSG%3A4326&request=GetMap&version=1.1.1&service=WMS',
  );
});

test('POST sends the query as body to the URL without ?', () => {
  const template = createWmsRequestTemplate('http://h/wms?', { layers: 'a', sld_body: '<x a="1"/>' });
  const post = wmsGetMapPost(template, QUERY);
  assert.equal(post.url, 'http://h/wms');
  assert.equal(
    post.body,
    'layers=a&sld_body=%3Cx%20a%3D%221%22%2F%3E&bbox=0.0,40.0,20.0,50.0&width=256&height=128&srs=EPSG%3A4326&format=image%2Fpng&request=GetMap&version=1.1.1&service=WMS&styles=',
  );
});
