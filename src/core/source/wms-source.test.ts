/**
 * The WMS source against a real HTTP upstream. Expected URLs, sizes and messages were captured
 * from MapProxy 1.15.1 (`mapproxy-util serve-develop`) against a recording upstream.
 */
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { closeHttpClients, hostSlotUsage, UpstreamError } from '../client/index.js';
import { createBBoxCoverage } from '../grid/index.js';
import { getSrs } from '../srs/index.js';
import { configureLogging, onLog, type BBox, type LogRecord, type Size } from '../util/index.js';
import { createWmsSource, SourceError, type MapQuery } from './index.js';
import {
  deferred,
  noisyPng,
  startUpstream,
  wmsQuery,
  type UpstreamRequest,
} from '../../../test/helpers/upstream.js';

/**
 * A real transparent image of `size`, padded with zero bytes to `length` bytes when it is shorter
 * (decoders stop at the end marker), so log lines can state an exact size.
 */
async function imageBytes(
  kind: 'png' | 'jpeg',
  length: number,
  size: readonly [number, number] = [1, 1],
): Promise<Buffer> {
  const background = { r: 0, g: 0, b: 0, alpha: 0 };
  const pixel = sharp({ create: { width: size[0], height: size[1], channels: 4, background } });
  const bytes = await (kind === 'png' ? pixel.png() : pixel.jpeg()).toBuffer();
  return Buffer.concat([bytes, Buffer.alloc(Math.max(0, length - bytes.length))]);
}

configureLogging({ stdout: false });

/** A reply for the default query size (256x128): the source checks the size and decodes every reply. */
const IMAGE = { headers: { 'content-type': 'image/png' }, body: await imageBytes('png', 256, [256, 128]) };
/** A PNG reply of the size the request asked for. */
const SIZED_IMAGE = async (request: UpstreamRequest) => ({
  headers: { 'content-type': 'image/png' },
  body: await imageBytes('png', 0, [Number(request.query.get('width')), Number(request.query.get('height'))]),
});
const PNG_OPTIONS = {
  format: 'image/png',
  mode: null,
  colors: 0,
  transparent: false,
  resampling: 'bicubic',
  jpegQuality: 90,
  quantizer: null,
} as const;

function query(
  bbox: BBox,
  size: Size = [256, 128],
  srs = 'EPSG:4326',
  extra: Partial<MapQuery> = {},
): MapQuery {
  return {
    bbox,
    size,
    srs: getSrs(srs),
    format: 'image/png',
    transparent: false,
    dimensions: {},
    isSeeding: false,
    ...extra,
  };
}

function captureLogs(t: { after: (fn: () => void) => void }): LogRecord[] {
  const records: LogRecord[] = [];
  t.after(onLog((record) => records.push(record)));
  return records;
}

test.after(closeHttpClients);

test('WMS 1.1.1 GetMap URL is exactly MapProxy 1.15', async (t) => {
  const upstream = await startUpstream(t);
  upstream.expect(
    '/service?layers=a,b&bbox=0.0,40.0,20.0,50.0&width=256&height=128&srs=EPSG%3A4326&format=image%2Fpng&request=GetMap&version=1.1.1&service=WMS&styles=',
    IMAGE,
  );
  const source = createWmsSource({ name: 'w111', req: { url: `${upstream.url}/service?`, layers: 'a,b' } });
  const image = await source.getMap(query([0, 40, 20, 50]));
  assert.ok(image !== null);
  assert.deepEqual(image.size, [256, 128]);
  assert.equal(image.format, 'image/png');
  assert.deepEqual((await image.encode(PNG_OPTIONS)).data, IMAGE.body); // bytes passed through untouched
});

test('WMS 1.3.0 flips the bbox for EPSG:4326 and sends crs last, but not for EPSG:3857', async (t) => {
  const upstream = await startUpstream(t);
  upstream
    .expect(
      '/wms130?layers=a&bbox=40.0,0.0,50.0,20.0&width=256&height=128&format=image%2Fpng&request=GetMap&version=1.3.0&service=WMS&styles=&crs=EPSG%3A4326',
      IMAGE,
    )
    .expect(
      '/wms130?layers=a&bbox=0.0,4000000.0,2000000.0,5000000.0&width=256&height=128&format=image%2Fpng&request=GetMap&version=1.3.0&service=WMS&styles=&crs=EPSG%3A3857',
      IMAGE,
    );
  const source = createWmsSource({
    name: 'w130',
    version: '1.3.0',
    req: { url: `${upstream.url}/wms130`, layers: 'a' },
  });
  await source.getMap(query([0, 40, 20, 50]));
  await source.getMap(query([0, 4000000, 2000000, 5000000], [256, 128], 'EPSG:3857'));
});

test('WMS 1.0.0 uses wmtver, request=map and an upper-case format', async (t) => {
  const upstream = await startUpstream(t);
  upstream.expect(
    '/wms100?layers=a&request=map&bbox=0.0,40.0,20.0,50.0&width=256&height=128&srs=EPSG%3A4326&format=PNG&wmtver=1.0.0&styles=',
    IMAGE,
  );
  const source = createWmsSource({
    name: 'w100',
    version: '1.0.0',
    req: { url: `${upstream.url}/wms100`, layers: 'a' },
  });
  await source.getMap(query([0, 40, 20, 50]));
});

test('every req key is copied in order, transparent as True, req.format wins over the query format', async (t) => {
  const upstream = await startUpstream(t);
  upstream.expect(
    '/extra?map=/x.map&FOO=Bar&layers=a&styles=s1&transparent=True&sld=http%3A%2F%2Fx%2Fs.sld&Extra_Key=V%201&format=image%2Fjpeg&bbox=0.0,40.0,20.0,50.0&width=256&height=128&srs=EPSG%3A4326&request=GetMap&version=1.1.1&service=WMS',
    { headers: { 'content-type': 'image/jpeg' }, body: await imageBytes('jpeg', 0, [256, 128]) },
  );
  const source = createWmsSource({
    name: 'wextra',
    req: {
      url: `${upstream.url}/extra?map=/x.map&FOO=Bar`,
      layers: 'a',
      styles: 's1',
      transparent: true,
      sld: 'http://x/s.sld',
      Extra_Key: 'V 1',
      format: 'image/jpeg',
    },
  });
  assert.equal(source.isTransparent, true);
  const image = await source.getMap(query([0, 40, 20, 50]));
  assert.equal(image?.format, 'image/jpeg');
});

test('a cache request format sits right after the req keys', async (t) => {
  const upstream = await startUpstream(t);
  upstream.expect(
    '/cached?layers=a&format=image%2Fjpeg&bbox=-20037508.342789244,-20037508.34278924,-10018754.171394622,-10018754.17139462&width=256&height=256&srs=EPSG%3A3857&request=GetMap&version=1.1.1&service=WMS&styles=',
    SIZED_IMAGE,
  );
  const source = createWmsSource({
    name: 'wcached',
    requestFormat: 'image/jpeg',
    req: { url: `${upstream.url}/cached`, layers: 'a' },
  });
  await source.getMap(
    query(
      [-20037508.342789244, -20037508.34278924, -10018754.171394622, -10018754.17139462],
      [256, 256],
      'EPSG:3857',
    ),
  );
});

test('supported_formats: an unsupported format is requested as the first supported one', async (t) => {
  const upstream = await startUpstream(t);
  upstream.expect(
    wmsQuery('/fmt', {
      layers: 'a',
      bbox: '0,40,20,50',
      width: '256',
      height: '128',
      srs: 'EPSG:4326',
      format: 'image/jpeg',
      request: 'GetMap',
      version: '1.1.1',
      service: 'WMS',
      styles: '',
    }),
    {
      headers: { 'content-type': 'image/jpeg' },
      body: await imageBytes('jpeg', 0, [256, 128]),
    },
  );
  const source = createWmsSource({
    name: 'wfmt',
    supportedFormats: ['image/jpeg'],
    req: { url: `${upstream.url}/fmt`, layers: 'a' },
  });
  assert.equal((await source.getMap(query([0, 40, 20, 50])))?.format, 'image/jpeg');
});

test('basic auth from user:pass@ is sent as a header and never appears in URLs, logs or errors', async (t) => {
  const logs = captureLogs(t);
  const upstream = await startUpstream(t);
  const seen = deferred<string | undefined>();
  upstream
    .expect(
      wmsQuery('/auth', {
        layers: 'a',
        bbox: '0,40,20,50',
        width: '256',
        height: '128',
        srs: 'EPSG:4326',
        format: 'image/png',
        request: 'GetMap',
        version: '1.1.1',
        service: 'WMS',
        styles: '',
      }),
      (request) => {
        seen.resolve(request.headers.authorization);
        assert.equal(request.headers['x-custom'], 'abc');
        assert.match(request.headers['user-agent'] ?? '', /^MapProxy-ts\/\d+\.\d+\.\d+$/);
        return IMAGE;
      },
    )
    .expect((request) => request.pathname === '/auth', { status: 500 });
  const url = upstream.url.replace('http://', 'http://user:secret@');
  const source = createWmsSource({
    name: 'wauth',
    http: { headers: { 'X-Custom': 'abc' }, hideErrorDetails: false },
    req: { url: `${url}/auth`, layers: 'a' },
  });
  await source.getMap(query([0, 40, 20, 50]));
  assert.equal(await seen.promise, `Basic ${Buffer.from('user:secret').toString('base64')}`);
  const error = await source.getMap(query([0, 40, 20, 51])).then(
    () => assert.fail('expected a SourceError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SourceError);
  assert.ok(error.cause instanceof UpstreamError);
  assert.match(error.message, /^HTTP Error "http:\/\/127\.0\.0\.1:\d+\/auth\?layers=a&/);
  for (const text of [error.message, error.cause.message, error.cause.url, ...logs.map((r) => r.message)]) {
    assert.doesNotMatch(text, /secret|user:/);
  }
  assert.equal(logs.filter((r) => r.name === 'mapproxy.source.request').length, 2);
});

test('each upstream request logs METHOD URL STATUS SIZE_KB MS on mapproxy.source.request', async (t) => {
  const logs = captureLogs(t);
  const upstream = await startUpstream(t, { '/service': IMAGE });
  const source = createWmsSource({ name: 'w', req: { url: `${upstream.url}/service?`, layers: 'a,b' } });
  await source.getMap(query([0, 40, 20, 50]));
  const lines = logs.filter((r) => r.name === 'mapproxy.source.request');
  const [line] = lines;
  assert.equal(lines.length, 1);
  assert.ok(line !== undefined);
  assert.equal(line.level, 'info');
  // 256 bytes = 0.25 kB: Python's '%.1f' rounds the tie to even, '0.2'
  const url = `${upstream.url}/service?layers=a,b&bbox=0.0,40.0,20.0,50.0&width=256&height=128&srs=EPSG%3A4326&format=image%2Fpng&request=GetMap&version=1.1.1&service=WMS&styles=`;
  assert.match(line.message, new RegExp(`^GET ${url.replace(/[.?]/g, '\\$&')} 200 0\\.2 \\d+$`));
});

test('HTTP 500: hidden details by default, MapProxy texts in the error and the warning', async (t) => {
  const logs = captureLogs(t);
  const upstream = await startUpstream(t, { '/err500': { status: 500 } });
  const hidden = createWmsSource({ name: 'hidden', req: { url: `${upstream.url}/err500`, layers: 'a' } });
  await assert.rejects(hidden.getMap(query([0, 40, 20, 50])), {
    name: 'SourceError',
    code: 'SOURCE_HTTP',
    status: 500,
    message: 'HTTP Error (see logs for URL and reason).',
  });
  const shown = createWmsSource({
    name: 'shown',
    http: { hideErrorDetails: false },
    req: { url: `${upstream.url}/err500`, layers: 'a' },
  });
  const url = `${upstream.url}/err500?layers=a&bbox=0.0,40.0,20.0,50.0&width=256&height=128&srs=EPSG%3A4326&format=image%2Fpng&request=GetMap&version=1.1.1&service=WMS&styles=`;
  await assert.rejects(shown.getMap(query([0, 40, 20, 50])), { message: `HTTP Error "${url}": 500` });
  const warnings = logs.filter((r) => r.name === 'mapproxy.source.wms').map((r) => `${r.level} ${r.message}`);
  assert.deepEqual(warnings, [
    `warning could not retrieve WMS map: HTTP Error "${url}": 500`,
    `warning could not retrieve WMS map: HTTP Error "${url}": 500`,
  ]);
  const requestLines = logs.filter((r) => r.name === 'mapproxy.source.request').map((r) => r.message);
  assert.match(requestLines[0] ?? '', / 500 - \d+$/);
});

test('a reply that is not an image is a SourceError naming the URL', async (t) => {
  const logs = captureLogs(t);
  const upstream = await startUpstream(t, {
    '/xml': { headers: { 'content-type': 'application/vnd.ogc.se_xml' }, body: '<ServiceExceptionReport/>' },
  });
  const source = createWmsSource({ name: 'wxml', req: { url: `${upstream.url}/xml`, layers: 'a' } });
  const url = `${upstream.url}/xml?layers=a&bbox=0.0,40.0,20.0,50.0&width=256&height=128&srs=EPSG%3A4326&format=image%2Fpng&request=GetMap&version=1.1.1&service=WMS&styles=`;
  await assert.rejects(source.getMap(query([0, 40, 20, 50])), {
    code: 'SOURCE_NOT_IMAGE',
    message: `no image returned from source WMS: ${url}`,
  });
  const warning = logs.find((r) => r.name === 'mapproxy.source.wms');
  assert.equal(
    warning?.message,
    `no image returned from source WMS: ${url}, response was: '<ServiceExceptionReport/>'`,
  );
});

test('an image of another size than requested is a SourceError, not padded or cropped', async (t) => {
  const logs = captureLogs(t);
  const upstream = await startUpstream(t, {
    '/small': { headers: { 'content-type': 'image/png' }, body: await imageBytes('png', 0, [128, 128]) },
  });
  const source = createWmsSource({ name: 'wsize', req: { url: `${upstream.url}/small`, layers: 'a' } });
  const url = `${upstream.url}/small?layers=a&bbox=0.0,40.0,20.0,50.0&width=256&height=128&srs=EPSG%3A4326&format=image%2Fpng&request=GetMap&version=1.1.1&service=WMS&styles=`;
  await assert.rejects(source.getMap(query([0, 40, 20, 50])), {
    name: 'SourceError',
    code: 'SOURCE_IMAGE_SIZE',
    sourceName: 'wsize',
    message: `invalid image returned from source WMS: ${url}: 128x128 pixels, requested 256x128`,
  });
  assert.deepEqual(
    logs.filter((r) => r.name === 'mapproxy.source.wms').map((r) => `${r.level} ${r.message}`),
    [`warning invalid image returned from source WMS: ${url}: 128x128 pixels, requested 256x128`],
  );
});

test('a truncated image is a SourceError although its header and Content-Type are fine', async (t) => {
  const png = await noisyPng([256, 128]);
  const upstream = await startUpstream(t, {
    '/cut': { headers: { 'content-type': 'image/png' }, body: png.subarray(0, Math.floor(png.length / 2)) },
  });
  const source = createWmsSource({ name: 'wcut', req: { url: `${upstream.url}/cut`, layers: 'a' } });
  await assert.rejects(source.getMap(query([0, 40, 20, 50])), {
    code: 'SOURCE_NOT_IMAGE',
    sourceName: 'wcut',
    message: /^invalid image returned from source WMS: /,
  });
});

test('decodeLater: a truncated image fails its later decode with the error getMap would have thrown', async (t) => {
  const logs = captureLogs(t);
  const png = await noisyPng([256, 128]);
  const upstream = await startUpstream(t, {
    '/cut': { headers: { 'content-type': 'image/png' }, body: png.subarray(0, Math.floor(png.length / 2)) },
  });
  const source = createWmsSource({ name: 'wcut', req: { url: `${upstream.url}/cut`, layers: 'a' } });
  const eager = await source.getMap(query([0, 40, 20, 50])).then(
    () => assert.fail('an eager getMap decodes and refuses the image'),
    (error: unknown) => error,
  );
  assert.ok(eager instanceof SourceError);
  assert.equal(eager.code, 'SOURCE_NOT_IMAGE');
  // the header is fine, so the answer comes; its pixels are checked where they are decoded
  const image = await source.getMap(query([0, 40, 20, 50]), { decodeLater: true });
  assert.ok(image !== null);
  const expected = {
    name: 'SourceError',
    code: 'SOURCE_NOT_IMAGE',
    sourceName: 'wcut',
    message: eager.message,
  };
  await assert.rejects(image.raw(), expected);
  // nor does an encode to its own format pass the broken bytes on
  await assert.rejects(image.encode(PNG_OPTIONS), expected);
  assert.deepEqual(
    logs.filter((r) => r.name === 'mapproxy.source.wms').map((r) => `${r.level} ${r.message}`),
    [`warning ${eager.message}`, `warning ${eager.message}`],
  );
});

test('decodeLater: a whole image decodes to the same pixels as an eagerly checked one', async (t) => {
  const png = await noisyPng([256, 128]);
  const upstream = await startUpstream(t, { '/ok': { headers: { 'content-type': 'image/png' }, body: png } });
  const source = createWmsSource({ name: 'wok', req: { url: `${upstream.url}/ok`, layers: 'a' } });
  const later = await source.getMap(query([0, 40, 20, 50]), { decodeLater: true });
  const eager = await source.getMap(query([0, 40, 20, 50]));
  assert.ok(later !== null && eager !== null);
  assert.deepEqual((await later.raw()).data, (await eager.raw()).data);
  assert.deepEqual((await later.encode(PNG_OPTIONS)).data, png);
});

test('a timeout fails fast with UPSTREAM_TIMEOUT as the cause', async (t) => {
  const upstream = await startUpstream(t, { '/slow': { hang: true } });
  const source = createWmsSource({
    name: 'wslow',
    http: { timeoutMs: 50 },
    req: { url: `${upstream.url}/slow`, layers: 'a' },
  });
  const started = performance.now();
  const error = await source.getMap(query([0, 40, 20, 50])).then(
    () => assert.fail('expected a timeout'),
    (e: unknown) => e,
  );
  assert.ok(performance.now() - started < 5000);
  assert.ok(error instanceof SourceError);
  assert.equal(error.message, 'No response from URL (see logs for URL and reason).');
  assert.ok(error.cause instanceof UpstreamError);
  assert.equal(error.cause.code, 'UPSTREAM_TIMEOUT');
  assert.match(
    error.cause.message,
    /^No response from URL "http:\/\/127\.0\.0\.1:\d+\/slow\?layers=a&.*": timed out$/,
  );
});

test('connection refused reads like MapProxy and logs - for status and size', async (t) => {
  const logs = captureLogs(t);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const source = createWmsSource({
    name: 'wrefused',
    http: { hideErrorDetails: false },
    req: { url: `http://127.0.0.1:${port}/refused`, layers: 'a' },
  });
  const url = `http://127.0.0.1:${port}/refused?layers=a&bbox=0.0,40.0,20.0,50.0&width=256&height=128&srs=EPSG%3A4326&format=image%2Fpng&request=GetMap&version=1.1.1&service=WMS&styles=`;
  await assert.rejects(source.getMap(query([0, 40, 20, 50])), {
    code: 'SOURCE_HTTP',
    status: null,
    message: `No response from URL "${url}": Connection refused`,
  });
  const line = logs.find((r) => r.name === 'mapproxy.source.request')?.message ?? '';
  assert.match(line, new RegExp(`^GET ${url.replace(/[.?]/g, '\\$&')} - - (\\d+|-)$`));
});

test('sequential requests reuse one keep-alive connection', async (t) => {
  const upstream = await startUpstream(t, { '/ka': IMAGE });
  const source = createWmsSource({ name: 'ka', req: { url: `${upstream.url}/ka`, layers: 'a' } });
  for (let i = 0; i < 3; i += 1) await source.getMap(query([0, 40, 20, 50 + i]));
  assert.equal(upstream.count('/ka'), 3);
  assert.equal(upstream.connections, 1);
});

test('min_res/max_res, min_scale/max_scale, seed_only and coverage answer null without a request', async (t) => {
  const upstream = await startUpstream(t); // any request fails the test
  const req = { url: `${upstream.url}/none`, layers: 'a' };
  // 256 px over 2560 m = 10 m/px
  const q = query([0, 0, 2560, 2560], [256, 256], 'EPSG:3857');
  assert.equal(await createWmsSource({ name: 'a', minRes: 5, req }).getMap(q), null);
  assert.equal(await createWmsSource({ name: 'b', maxRes: 20, req }).getMap(q), null);
  // 1:100000 = 28 m/px (coarser end), 1:50000 = 14 m/px
  assert.equal(await createWmsSource({ name: 'c', minScale: 50000, req }).getMap(q), null);
  assert.equal(await createWmsSource({ name: 'd', seedOnly: true, req }).getMap(q), null);
  const coverage = createBBoxCoverage({ bbox: '5,50,10,55', srs: 'EPSG:4326' });
  assert.equal(await createWmsSource({ name: 'e', coverage, req }).getMap(query([20, 20, 30, 30])), null);
});

test('isOpaqueFor: sure only without transparency, a fading opacity, or a query outside its range or coverage (MapProxy is_opaque)', () => {
  const req = { url: 'http://127.0.0.1:9/none', layers: 'a' };
  const q = query([0, 0, 2560, 2560], [256, 256], 'EPSG:3857');
  const opaque = (options: Partial<Parameters<typeof createWmsSource>[0]>): boolean =>
    createWmsSource({ name: 's', req, ...options }).isOpaqueFor?.(q) ?? false;
  assert.equal(opaque({}), true);
  assert.equal(opaque({ req: { ...req, transparent: 'true' } }), false);
  assert.equal(opaque({ transparentColor: [255, 255, 255] }), false);
  assert.equal(opaque({ opacity: 0.5 }), false);
  // MapProxy's range: 0 < opacity < 0.99 fades, 0.99 and 0 do not
  assert.equal(opaque({ opacity: 0.99 }), true);
  assert.equal(opaque({ minRes: 5 }), false);
  const around = createBBoxCoverage({ bbox: '-10,-10,10,10', srs: 'EPSG:4326' });
  const beside = createBBoxCoverage({ bbox: '5,50,10,55', srs: 'EPSG:4326' });
  assert.equal(opaque({ coverage: around }), true);
  assert.equal(opaque({ coverage: beside }), false);
});

test('resolution limits are MapProxy inclusive at both ends and seed_only answers while seeding', async (t) => {
  const upstream = await startUpstream(t, { '/in': SIZED_IMAGE });
  const req = { url: `${upstream.url}/in`, layers: 'a' };
  const q = query([0, 0, 2560, 2560], [256, 256], 'EPSG:3857');
  assert.notEqual(await createWmsSource({ name: 'a', minRes: 10, req }).getMap(q), null);
  assert.notEqual(await createWmsSource({ name: 'b', maxRes: 10, req }).getMap(q), null);
  assert.notEqual(
    await createWmsSource({ name: 'c', seedOnly: true, req }).getMap({ ...q, isSeeding: true }),
    null,
  );
  assert.equal(upstream.count('/in'), 3);
});

test('a query partly outside the coverage requests only the inside, as MapProxy', async (t) => {
  const upstream = await startUpstream(t);
  // MapProxy sends the coverage's own numbers ('5,50,10,55'); we send floats ('5.0,...')
  upstream.expect(
    '/cov?layers=a&bbox=5.0,50.0,10.0,55.0&width=64&height=32&srs=EPSG%3A4326&format=image%2Fpng&request=GetMap&version=1.1.1&service=WMS&styles=',
    SIZED_IMAGE,
  );
  const coverage = createBBoxCoverage({ bbox: [5, 50, 10, 55], srs: 'EPSG:4326' });
  const source = createWmsSource({
    name: 'wcov',
    coverage,
    req: { url: `${upstream.url}/cov`, layers: 'a' },
  });
  // the paste onto a transparent image needs decoding (image module); the request is what we pin
  await source.getMap(query([0, 40, 20, 60])).catch((error: unknown) => {
    assert.ok(error instanceof SourceError && error.code === 'SOURCE_UNSUPPORTED', String(error));
  });
});

test('supported_srs: an unsupported query SRS is requested in a supported one with MapProxy bbox and size', async (t) => {
  const upstream = await startUpstream(t);
  upstream.expect(
    wmsQuery('/wsrs', {
      layers: 'a',
      bbox: '213372.04896120238,5538660.646209965,571666.4475041275,6102110.745470324',
      width: '256',
      height: '403',
      srs: 'EPSG:25832',
      format: 'image/png',
      request: 'GetMap',
      version: '1.1.1',
      service: 'WMS',
      styles: '',
    }),
    SIZED_IMAGE,
  );
  const source = createWmsSource({
    name: 'wsrs',
    supportedSrs: ['EPSG:25832'],
    req: { url: `${upstream.url}/wsrs`, layers: 'a' },
  });
  await source.getMap(query([5, 50, 10, 55])).catch((error: unknown) => {
    // reprojection itself waits for image/transformImage (#3)
    assert.ok(error instanceof SourceError && error.code === 'SOURCE_UNSUPPORTED', String(error));
  });
});

test('concurrent_requests: at most 2 requests in flight at the upstream, the rest wait in the client', async (t) => {
  const upstream = await startUpstream(t);
  const gate = deferred();
  upstream.expect(
    (request) => request.pathname === '/limited',
    async () => {
      await gate.promise;
      return IMAGE;
    },
    { times: 6 },
  );
  const source = createWmsSource({
    name: 'limited',
    concurrentRequests: 2,
    req: { url: `${upstream.url}/limited`, layers: 'a' },
  });
  const pending = Promise.all([0, 1, 2, 3, 4, 5].map((i) => source.getMap(query([0, 40, 20, 50 + i]))));
  await upstream.waitForRequests(2);
  // the other four queued in the client long before two requests crossed the network
  assert.deepEqual(hostSlotUsage(new URL(upstream.url).host), { inFlight: 2, waiting: 4 });
  gate.resolve();
  const results = await pending;
  assert.equal(results.filter((image) => image !== null).length, 6);
  assert.equal(upstream.maxInFlight, 2);
});

test('sld: file:// is read and POSTed as sld_body (http.method AUTO)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sld-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'style.sld'), '<StyledLayerDescriptor/>');
  const upstream = await startUpstream(t);
  const body = deferred<string>();
  upstream.expect(
    (request) => request.method === 'POST' && request.path === '/sld',
    (request) => {
      body.resolve(request.body.toString('utf8'));
      return IMAGE;
    },
  );
  const source = createWmsSource({
    name: 'sld',
    baseDir: dir,
    req: { url: `${upstream.url}/sld?`, layers: 'a', sld: 'file://style.sld' },
  });
  await source.getMap(query([0, 40, 20, 50]));
  assert.equal(
    await body.promise,
    'layers=a&sld_body=%3CStyledLayerDescriptor%2F%3E&bbox=0.0,40.0,20.0,50.0&width=256&height=128&srs=EPSG%3A4326&format=image%2Fpng&request=GetMap&version=1.1.1&service=WMS&styles=',
  );
});
