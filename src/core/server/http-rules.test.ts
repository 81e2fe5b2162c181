import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBind, parseHttpDate, tileETag } from './index.js';
import { publicUrl } from './public-url.js';
import { parseQuery } from './query.js';

test('--bind follows MapProxy: port alone means localhost, :port binds every interface', () => {
  const cases: [string | undefined, string, number, string][] = [
    [undefined, '127.0.0.1', 8080, '127.0.0.1'],
    ['8081', 'localhost', 8081, 'localhost'],
    ['0.0.0.0', '0.0.0.0', 8080, '0.0.0.0'],
    ['example.org:9000', 'example.org', 9000, 'example.org'],
    [':8081', '0.0.0.0', 8081, 'localhost'],
    ['[::1]:8082', '::1', 8082, '::1'],
    // no brackets: all of it is the address (it was host ':' on port 1)
    ['::1', '::1', 8080, '::1'],
  ];
  for (const [value, host, port, displayHost] of cases) {
    assert.deepEqual(parseBind(value), { host, port, displayHost }, String(value));
  }
});

test('--bind rejects a port that is not a number', () => {
  assert.throws(() => parseBind('localhost:http'), { code: 'SERVER_BAD_BIND', message: /HOST:PORT/ });
  assert.throws(() => parseBind('70000'), { code: 'SERVER_BAD_BIND' });
});

test('public URLs follow the proxy headers as MapProxy reads them', () => {
  const base = { scheme: 'http', serverAddress: '127.0.0.1:8080', rawPath: '/tms/1.0.0/' };
  const cases: [Record<string, string>, string, string, string][] = [
    [{}, '/tms/1.0.0/', 'http://127.0.0.1:8080', 'no Host: the socket address'],
    [{ host: 'example.org:80' }, '/tms/1.0.0/', 'http://example.org', 'default port dropped'],
    [{ host: 'example.org:8080' }, '/tms/1.0.0/', 'http://example.org:8080', 'other port kept'],
    [
      { host: 'example.org:80', 'x-forwarded-proto': 'https' },
      '/tms/1.0.0/',
      'https://example.org:80',
      'port 80 kept for https',
    ],
    [
      { host: 'a', 'x-forwarded-host': ' b.org , c.org' },
      '/tms/1.0.0/',
      'http://b.org',
      'first forwarded host',
    ],
    [
      { host: 'a', 'x-script-name': '/mapproxy/' },
      '/tms/1.0.0/',
      'http://a/mapproxy',
      'script name, slash trimmed',
    ],
  ];
  for (const [headers, path, scriptUrl, what] of cases) {
    assert.deepEqual(publicUrl({ ...base, headers }), { path, scriptUrl }, what);
  }
  // a proxy that did not strip the prefix: MapProxy strips it itself
  assert.deepEqual(
    publicUrl({
      ...base,
      rawPath: '/mapproxy/tms/1.0.0/',
      headers: { host: 'a', 'x-script-name': '/mapproxy' },
    }),
    {
      path: '/tms/1.0.0/',
      scriptUrl: 'http://a/mapproxy',
    },
  );
});

test('query keys are case-insensitive and the first occurrence wins', () => {
  assert.deepEqual(parseQuery('SERVICE=WMTS&service=WMS&Layer=a+b&bbox=1%2C2'), {
    service: 'WMTS',
    layer: 'a b',
    bbox: '1,2',
  });
});

test('repeated LAYERS, SRS, STYLES and FORMAT join with commas; other keys keep the first value', () => {
  // MapProxy 1.15: LAYERS=direct&LAYERS=nosuch answers "unknown layer: nosuch", SRS=EPSG:4326&SRS=EPSG:3857
  // "unsupported srs: EPSG:4326,EPSG:3857"; BBOX, WIDTH and REQUEST take their first value
  assert.deepEqual(
    parseQuery('LAYERS=a&layers=b&SRS=EPSG:4326&SRS=EPSG:3857&WIDTH=10&WIDTH=20&styles=&STYLES=x'),
    {
      layers: 'a,b',
      srs: 'EPSG:4326,EPSG:3857',
      width: '10',
      styles: ',x',
    },
  );
});

test("tile ETags are MapProxy's unquoted md5 of str(mtime) + str(size)", () => {
  // expected values: hashlib.md5((str(ts) + str(size)).encode()).hexdigest() in Python 3
  assert.equal(tileETag(1234567890, 1234), '9c64a156bbae75dd08824ddef3fba618');
  assert.equal(tileETag(1700000000.123456, 99), 'f333cd22549a413a8a53791430aeece6');
  assert.equal(tileETag(1.5e9, 0), '8f1fbde693a9f17f9b58ae2ffcfb7893');
});

test('If-Modified-Since accepts RFC 1123, RFC 850 and asctime dates and ignores garbage', () => {
  // expected: calendar.timegm(email.utils.parsedate(d)) in Python 3
  assert.equal(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'), 784111777);
  assert.equal(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT'), 784111777);
  assert.equal(parseHttpDate('Sun Nov  6 08:49:37 1994'), 784111777);
  assert.equal(parseHttpDate('garbage'), null);
  assert.equal(parseHttpDate('2026-01-01'), null);
});
