/**
 * Upstreams that misbehave on purpose: each failure is a clear exception for the client, nothing
 * lands in the cache, and the server keeps serving. And requests that would make one client
 * request many upstream requests.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { cacheState } from '../helpers/cache-state.js';
import { startProxy } from '../helpers/proxy.js';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/** An upstream whose answers `handler` writes. */
async function startUpstream(t: TestContext, handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    handler(req, res, new URL(req.url ?? '/', 'http://upstream'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function bluePng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
}

/** 1 MiB blocks as fast as the proxy reads them, up to `cap` bytes; returns the bytes written. */
function flood(res: ServerResponse, cap: number): { readonly written: () => number } {
  const block = Buffer.alloc(1024 * 1024, 7);
  let written = 0;
  const pump = (): void => {
    while (!res.destroyed && written < cap) {
      written += block.length;
      if (!res.write(block)) return;
    }
    if (written >= cap) res.end();
  };
  res.on('drain', pump);
  pump();
  return { written: () => written };
}

const MAP =
  '/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&STYLES=&FORMAT=image/png&SRS=EPSG:3857' +
  '&BBOX=0,0,1000000,1000000&WIDTH=256&HEIGHT=256';

test('an endless or oversized body is dropped at a bound the request sets, nothing is stored, the server lives', async (t) => {
  // the old client read any body whole: 4.7 GB in 10 s from a local upstream
  const CAP = 200 * 1024 * 1024;
  const floods: { path: string; written: () => number }[] = [];
  const upstream = await startUpstream(t, (req, res, url) => {
    // TMS level n of GLOBAL_WEBMERCATOR is the source's level n + 1
    if (url.pathname.startsWith('/tiles/3/')) {
      res.writeHead(200, { 'content-type': 'image/png' });
      floods.push({ path: url.pathname, ...flood(res, CAP) });
    } else if (url.pathname.startsWith('/tiles/4/')) {
      // a Content-Length far above the bound is refused before its body is read
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(2 ** 31) });
      floods.push({ path: url.pathname, ...flood(res, CAP) });
    } else if (url.pathname === '/wms') {
      res.writeHead(200, { 'content-type': 'image/png' });
      floods.push({ path: url.pathname, ...flood(res, CAP) });
    } else {
      bluePng(256, 256).then(
        (png) => res.writeHead(200, { 'content-type': 'image/png' }).end(png),
        () => res.destroy(),
      );
    }
  });
  const proxy = await startProxy(t, 'hostile-upstream/mapproxy.yaml', { UPSTREAM_URL: upstream });
  for (const path of [
    '/tms/1.0.0/tiles/EPSG3857/2/1/1.png',
    '/tms/1.0.0/tiles/EPSG3857/3/1/1.png',
    '/tms/1.0.0/wms/EPSG3857/2/1/1.png',
  ]) {
    const res = await fetch(proxy.url + path);
    const text = await res.text();
    assert.equal(res.status, 500, path);
    assert.match(text, /<Message>Internal HTTP error \(see logs for URL and reason\)\.<\/Message>/, path);
  }
  const direct = await fetch(`${proxy.url}${MAP}&LAYERS=direct`);
  assert.match(await direct.text(), /<ServiceException>[^<]*Internal HTTP error/);
  // a tile's answer stops at a few MB (16 bytes a pixel and 4 MiB), a 4x4 meta tile's at 24 MB;
  // what the sockets buffer comes on top
  for (const { path, written } of floods) {
    const limit = path === '/wms' ? 40 : 16;
    assert.ok(written() < limit * 1024 * 1024, `${path}: ${written() / 1024 / 1024} MiB written`);
  }
  assert.deepEqual((await cacheState(join(proxy.dir, 'cache_data'))).files, []);
  const after = await fetch(`${proxy.url}/tms/1.0.0/tiles/EPSG3857/1/0/0.png`);
  assert.equal(after.status, 200);
  assert.equal(after.headers.get('content-type'), 'image/png');
  await after.arrayBuffer();
});

/** An RGB PNG of `width`x`height` black pixels: a few kB for any size (a "PNG bomb"). */
function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])));
    return Buffer.concat([length, Buffer.from(type, 'latin1'), data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows = Buffer.alloc((1 + width * 3) * height);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('a legend far larger than any map is left out, not stored, listed or decoded', async (t) => {
  const bomb = pngBomb(5000, 5000);
  assert.ok(bomb.length < 100_000);
  const upstream = await startUpstream(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' }).end(bomb);
  });
  const proxy = await startProxy(t, 'hostile-upstream/mapproxy.yaml', { UPSTREAM_URL: upstream });
  const legend = `${proxy.url}/service?SERVICE=WMS&REQUEST=GetLegendGraphic&VERSION=1.1.1&LAYER=legend&SLD_VERSION=1.1.0`;
  for (const format of ['image/png', 'image/jpeg']) {
    const res = await fetch(`${legend}&FORMAT=${format}`);
    assert.equal(res.status, 200, format);
    assert.equal(res.headers.get('content-type'), format);
    const { width, height } = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    assert.deepEqual([width, height], [1, 1], format);
  }
  const capabilities = await (await fetch(`${proxy.url}/service?SERVICE=WMS&REQUEST=GetCapabilities`)).text();
  assert.match(capabilities, /<LegendURL width="1" height="1">/);
  assert.deepEqual((await cacheState(join(proxy.dir, 'cache_data'))).files, []);
});

test('feature info JSON with a "__proto__" key is merged as data, not into the prototype of every object', async (t) => {
  const upstream = await startUpstream(t, (req, res, url) => {
    const layer = url.searchParams.get('query_layers');
    const doc =
      layer === 'a'
        ? '{"features": [1]}'
        : '{"features": [2], "__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}';
    res.writeHead(200, { 'content-type': 'application/json' }).end(doc);
  });
  const proxy = await startProxy(t, 'hostile-upstream/mapproxy.yaml', { UPSTREAM_URL: upstream });
  const res = await fetch(
    `${proxy.url}/service?SERVICE=WMS&REQUEST=GetFeatureInfo&VERSION=1.1.1&LAYERS=info&QUERY_LAYERS=info` +
      '&STYLES=&SRS=EPSG:3857&BBOX=0,0,1000000,1000000&WIDTH=256&HEIGHT=256&X=10&Y=10&INFO_FORMAT=application/json',
  );
  assert.equal(res.status, 200);
  const text = await res.text();
  // the server runs in this process: its objects are ours
  assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
  // Python's merge_dict keeps the key as any other
  assert.equal(
    text,
    '{"features": [1, 2], "__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}',
  );
});

test('a GetFeatureInfo naming a layer 500 times asks its sources once, as MapProxy does', async (t) => {
  let requests = 0;
  const upstream = await startUpstream(t, (req, res, url) => {
    requests += 1;
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`layer ${url.searchParams.get('query_layers')}`);
  });
  const proxy = await startProxy(t, 'hostile-upstream/mapproxy.yaml', { UPSTREAM_URL: upstream });
  const info = (layers: string): Promise<Response> =>
    fetch(
      `${proxy.url}/service?SERVICE=WMS&REQUEST=GetFeatureInfo&VERSION=1.1.1&LAYERS=${layers}&QUERY_LAYERS=${layers}` +
        '&STYLES=&SRS=EPSG:3857&BBOX=0,0,1000000,1000000&WIDTH=256&HEIGHT=256&X=10&Y=10&INFO_FORMAT=text/plain',
    );
  const many = await info(Array.from({ length: 500 }, () => 'info').join(','));
  assert.equal(many.status, 200);
  assert.equal(await many.text(), 'layer a\nlayer b');
  assert.equal(requests, 2);
  const once = await info('info');
  assert.equal(await once.text(), 'layer a\nlayer b');
});
