/**
 * Requests built to hurt the server (issue 10): each gets a prompt, clear answer while other
 * requests keep being served. Expected answers were captured from MapProxy 1.15 on wms.yaml.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer } from '../../src/core/index.js';
import { exceptionCode, startWmsProxy } from '../fixtures/wms/kit.js';
import { copyFixture } from '../helpers/fixtures.js';
import { startServe } from '../helpers/front-proxy.js';
import { atTestEnd } from '../helpers/test-end.js';

const MAP = '/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&STYLES=&FORMAT=image/png&SRS=EPSG:3857';
const WORLD = 'BBOX=-20000000,-20000000,20000000,20000000';

/** MapProxy 1.15's answer to the 1x16000000 GetMap over the world (captured on wms.yaml). */
const TOO_MANY_TILES =
  'Request too large or invalid BBOX. (too many tiles, max_tile_limit: 500, num_tiles: 4278991396)';

test('a GetMap touching billions of tiles is refused at once, as MapProxy does, and the server stays up', async (t) => {
  const { proxy, upstream } = await startWmsProxy(t);
  const started = performance.now();
  const [refused, other] = await Promise.all([
    fetch(`${proxy.url}${MAP}&LAYERS=pattern&${WORLD}&WIDTH=1&HEIGHT=16000000`),
    fetch(`${proxy.url}${MAP}&LAYERS=pattern&${WORLD}&WIDTH=256&HEIGHT=256`),
  ]);
  const text = await refused.text();
  assert.equal(refused.status, 200);
  assert.equal(refused.headers.get('content-type'), 'application/vnd.ogc.se_xml');
  assert.match(text, /<ServiceException>([^<]*)<\/ServiceException>/);
  assert.equal(/<ServiceException>([^<]*)</.exec(text)?.[1], TOO_MANY_TILES);
  assert.equal(exceptionCode(text), null);
  assert.equal(other.status, 200);
  assert.equal(other.headers.get('content-type'), 'image/png');
  await other.arrayBuffer();
  // the refusal made no upstream request; the small map asked for its one tile
  assert.ok(
    upstream.requests.every((r) => r.pathname === '/tiles/0/0/0.png'),
    'only the small map fetched',
  );
  t.diagnostic(`answered in ${Math.round(performance.now() - started)} ms`);
});

test('max_tile_limit counts the tile block before any tile is created', async (t) => {
  const { proxy, upstream } = await startWmsProxy(t);
  // level 5 over the world: 32x32 tiles, far above the default limit of 500
  const res = await fetch(`${proxy.url}${MAP}&LAYERS=pattern&${WORLD}&WIDTH=8000&HEIGHT=2000`);
  const text = await res.text();
  assert.match(text, /too many tiles, max_tile_limit: 500, num_tiles: \d+/);
  assert.equal(upstream.requests.length, 0);
});

test('an image exception larger than max_output_pixels falls back to the XML exception', async (t) => {
  const { proxy } = await startWmsProxy(t);
  for (const exceptions of ['application/vnd.ogc.se_blank', 'application/vnd.ogc.se_inimage']) {
    const res = await fetch(
      `${proxy.url}/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=foo&WIDTH=20000&HEIGHT=20000&FORMAT=image/png&EXCEPTIONS=${exceptions}`,
    );
    const text = await res.text();
    assert.equal(res.status, 200, exceptions);
    assert.equal(res.headers.get('content-type'), 'application/vnd.ogc.se_xml', exceptions);
    assert.match(text, /unknown WMS request type &#x27;foo&#x27;/, exceptions);
  }
  // within the limit the image is still drawn at the requested size
  const small = await fetch(
    `${proxy.url}/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=foo&WIDTH=300&HEIGHT=200&FORMAT=image/png&EXCEPTIONS=application/vnd.ogc.se_blank`,
  );
  assert.equal(small.headers.get('content-type'), 'image/png');
  await small.arrayBuffer();
});

test('serve workers answer an oversized request line in plain text, as the development server does', async (t) => {
  const configFile = await copyFixture(t, 'deploy/mapproxy.yaml');
  const served = await startServe(t, [configFile, '-w', '1']);
  const res = await fetch(`${served.url}/service?${'x'.repeat(20_000)}`);
  assert.equal(res.status, 431);
  assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(await res.text(), 'request header fields too large');
});

test('a client sending its headers a byte at a time is cut off with 408 while others are served', async (t) => {
  const configFile = await copyFixture(t, 'config/valid.yaml');
  // the default gives a client 20 s for its headers; the check runs as often as the limit needs
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
    clientLimits: { headersTimeoutMs: 500, requestTimeoutMs: 500 },
  });
  atTestEnd(t, () => server.close());
  const socket = connect(server.port, '127.0.0.1');
  socket.on('error', () => undefined); // a byte written as the server cuts the connection
  let answer = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => (answer += chunk));
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  // a byte every 50 ms: Node's own limits (60 s, checked every 30 s) let all 90 through in 4.5 s
  const request = `GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Slow: ${'a'.repeat(40)}\r\n\r\n`;
  let sent = 0;
  const trickle = setInterval(() => {
    if (sent < request.length && !socket.destroyed) socket.write(request.charAt(sent++));
  }, 50);
  await closed;
  clearInterval(trickle);
  assert.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.ok(sent < request.length, `cut off after ${String(sent)} of ${String(request.length)} bytes`);
  const res = await fetch(`${server.url}/`);
  assert.equal(res.status, 200);
  await res.arrayBuffer();
});

test('a dimension value too long for a cache directory name is refused without the cache path', async (t) => {
  const { proxy, upstream } = await startWmsProxy(t);
  // TIME on a cached layer makes a cache subtree per value, as in MapProxy; 300 bytes are no file name
  const res = await fetch(
    `${proxy.url}${MAP}&LAYERS=pattern&${WORLD}&WIDTH=256&HEIGHT=256&TIME=${'a'.repeat(300)}`,
  );
  const text = await res.text();
  // it was "could not read tile (0, 0, 0) from <the cache's directory>/time-aaa.../00/000/000/000.png
  // (ENAMETOOLONG: name too long)"; MapProxy 1.15 answers a bare 500 "internal error"
  assert.equal(res.headers.get('content-type'), 'application/vnd.ogc.se_xml');
  assert.match(
    text,
    /invalid dimension value for time: too long for a cache directory name \(305 bytes, at most 255\)/,
  );
  assert.ok(!text.includes(proxy.dir), text);
  assert.equal(upstream.requests.length, 0);
});

test('a cache that cannot be locked or written is named to the client without its path', async (t) => {
  const { proxy } = await startWmsProxy(t);
  // base_dir ./cache_data is a plain file: the tile lock under it fails with ENOTDIR
  await writeFile(join(proxy.dir, 'cache_data'), '');
  const res = await fetch(`${proxy.url}${MAP}&LAYERS=pattern&${WORLD}&WIDTH=256&HEIGHT=256`);
  const text = await res.text();
  assert.match(text, /the cache \(ENOTDIR: not a directory\)/);
  assert.ok(!text.includes(proxy.dir), text);
});
