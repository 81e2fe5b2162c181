/**
 * What fastify and Node's HTTP parser answer on their own (unrouted methods, malformed escapes,
 * oversized headers and bodies), over a real socket: plain text like the rest of the server, or
 * the service's own answer, never fastify's JSON error objects.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test, type TestContext } from 'node:test';
import type { ServedApp } from '../app/index.js';
import type { ServiceRequest } from '../service/index.js';
import { buildServer } from './index.js';

interface RawResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** A server whose one service (`/service`) answers `ok <method>`. */
async function serve(t: TestContext): Promise<{ port: number; seen: ServiceRequest[] }> {
  const seen: ServiceRequest[] = [];
  const app: ServedApp = {
    routes: {
      service: {
        handle: (req) => {
          seen.push(req);
          return Promise.resolve({ status: 200, contentType: 'text/plain', body: 'ok', cache: { kind: 'none' } });
        },
      },
    },
    accessControlAllowOrigin: '',
    hasDemo: false,
  };
  const server = buildServer(() => app);
  t.after(() => server.close());
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  assert.ok(typeof address === 'object' && address !== null);
  return { port: address.port, seen };
}

/** One request on its own connection (the path goes out exactly as given). */
function send(port: number, method: string, path: string, body?: Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'Content-Type': 'application/octet-stream' };
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', body: text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function assertPlain(res: RawResponse, status: number, body: string): void {
  assert.deepEqual(res, { status, contentType: 'text/plain; charset=utf-8', body });
}

test('PUT, DELETE and OPTIONS reach the service like a GET: MapProxy (a WSGI app) ignores the method', async (t) => {
  const { port, seen } = await serve(t);
  for (const method of ['PUT', 'DELETE', 'OPTIONS']) {
    const res = await send(port, method, '/service?REQUEST=GetCapabilities');
    assert.deepEqual(res, { status: 200, contentType: 'text/plain', body: 'ok' }, method);
  }
  assert.deepEqual(seen.map((r) => [r.method, r.query.request]), [
    ['PUT', 'GetCapabilities'],
    ['DELETE', 'GetCapabilities'],
    ['OPTIONS', 'GetCapabilities'],
  ]);
});

test('a malformed escape in the path is routed like any path: the service answers, an unknown one is the plain 404', async (t) => {
  const { port } = await serve(t);
  const res = await send(port, 'GET', '/service/%zz?a=1');
  assert.deepEqual(res, { status: 200, contentType: 'text/plain', body: 'ok' });
  assertPlain(await send(port, 'GET', '/nowhere/%zz'), 404, 'not found');
  assertPlain(await send(port, 'PUT', '/nowhere'), 404, 'not found');
});

test('a request line beyond the header size limit is a plain-text 431', async (t) => {
  const { port, seen } = await serve(t);
  assertPlain(await send(port, 'GET', `/service?${'x'.repeat(20_000)}`), 431, 'request header fields too large');
  assert.equal(seen.length, 0);
});

test('a body beyond the limit is a plain-text 413', async (t) => {
  const { port, seen } = await serve(t);
  assertPlain(await send(port, 'POST', '/service', Buffer.alloc(2 * 1024 * 1024)), 413, 'payload too large');
  assert.equal(seen.length, 0);
});
