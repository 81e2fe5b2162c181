/** The outbound client's use of undici: which of its modules it loads, and proxying through them. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { closeHttpClients, httpGet, httpRequest } from './http-client.js';

/** undici's modules loaded into this process so far, by path inside the package. */
const undiciModules = (): string[] =>
  Object.keys(createRequire(import.meta.url).cache).flatMap((path) => {
    const at = path.indexOf('/node_modules/undici/');
    return at < 0 ? [] : [path.slice(at + '/node_modules/undici/'.length)];
  });

async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

async function closed(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

test("upstream requests load undici's agent, redirects and request API, not its fetch, WebSocket or caches", async (t) => {
  const upstream = createServer((req, res) => {
    if (req.url === '/moved') res.writeHead(302, { location: '/tile' }).end();
    else res.end(`got ${req.method ?? ''} ${req.url ?? ''}`);
  });
  const url = await listening(upstream);
  t.after(async () => {
    await closeHttpClients();
    await closed(upstream);
  });
  assert.equal((await httpGet(`${url}/moved`)).body.toString(), 'got GET /tile');
  assert.equal(
    (await httpRequest(`${url}/post?a=1`, { method: 'POST', body: 'x' })).body.toString(),
    'got POST /post?a=1',
  );
  await assert.rejects(httpGet('ftp://127.0.0.1/x'), { code: 'UPSTREAM_INVALID_URL' });
  const loaded = undiciModules();
  assert.ok(loaded.includes('lib/dispatcher/env-http-proxy-agent.js'), loaded.join(', '));
  // its entry module loads every one of these (a `serve` worker held ~4 MB more)
  assert.deepEqual(
    loaded.filter((path) => path === 'index.js' || /^lib\/(web|mock|cache)\//.test(path)),
    [],
  );
});

test('with http_proxy set, requests tunnel through the proxy (CONNECT, from the mixed-in API)', async (t) => {
  const upstream = createServer((req, res) => res.end(`upstream ${req.url ?? ''}`));
  const upstreamUrl = await listening(upstream);
  const tunnels: string[] = [];
  const proxy = createServer((_req, res) => res.writeHead(502).end());
  proxy.on('connect', (req, socket) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const target = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      target.pipe(socket).pipe(target);
    });
    target.on('error', () => socket.destroy());
    socket.on('error', () => target.destroy());
  });
  const proxyUrl = await listening(proxy);
  const saved = { http_proxy: process.env.http_proxy, no_proxy: process.env.no_proxy };
  t.after(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
    await closeHttpClients();
    await closed(proxy);
    await closed(upstream);
  });
  process.env.http_proxy = proxyUrl;
  Reflect.deleteProperty(process.env, 'no_proxy');
  // a TLS setting of its own: a new agent, which reads the proxy variables when it is made
  const response = await httpGet(`${upstreamUrl}/tile?x=1`, { tls: { noCertChecks: true } });
  assert.equal(response.body.toString(), 'upstream /tile?x=1');
  assert.deepEqual(tunnels, [upstreamUrl.slice('http://'.length)]);
});
