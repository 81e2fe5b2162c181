/** Ports above 65535 wrap modulo 65536, as MapProxy's Python/glibc resolver does. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { httpGet } from './index.js';
import { parseUpstreamUrl } from './wrapped-port.js';

test('a port above 65535 is taken modulo 65536; valid and malformed URLs parse as new URL does', () => {
  assert.equal(parseUpstreamUrl('http://localhost:99998/service_b?x=1').port, '34462');
  assert.equal(parseUpstreamUrl('http://localhost:8080/a').port, '8080');
  assert.throws(() => parseUpstreamUrl('http://localhost:8x/a'), { name: 'TypeError' });
  assert.throws(() => parseUpstreamUrl('not a url'), { name: 'TypeError' });
});

test('a request to port P + 65536 reaches the server on P', async (t) => {
  const server = createServer((_req, res) => res.end('here'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const response = await httpGet(`http://127.0.0.1:${port + 65536}/x`);
  assert.equal(response.status, 200);
  assert.equal(Buffer.from(response.body).toString(), 'here');
});

test('nothing listening there: MapProxy\'s "No response from URL …: Connection refused", with the URL as configured', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const url = `http://127.0.0.1:${port + 65536}/service_b?layers=b`;
  await assert.rejects(httpGet(url), {
    code: 'UPSTREAM_CONNECT',
    message: `No response from URL "${url}": Connection refused`,
  });
});
