import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { test, type TestContext } from 'node:test';
import { configureLogging, onLog, type Freshness, type LogRecord } from '../util/index.js';
import type { HttpReply } from './handle-request.js';
import { RememberedReplies } from './remembered-replies.js';

/** A freshness switched by the test. */
function switchable(): Freshness & { fresh: boolean } {
  return {
    fresh: true,
    isFresh() {
      return this.fresh;
    },
  };
}

const TILE = Buffer.from('tile bytes');

/**
 * A real server that asks `remembered` first and otherwise answers `reply()` itself (counted),
 * remembering it as the fastify route does.
 */
async function serve(t: TestContext, remembered: RememberedReplies, reply: () => HttpReply) {
  let routed = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (remembered.answer(req, res)) return;
    routed++;
    const answer = reply();
    remembered.remember({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, answer);
    res.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(answer.body.length) });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  );
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const send = (path: string, method = 'GET', headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
      });
      req.on('error', reject);
      req.end();
    });
  return { send, routed: () => routed };
}

const tileReply = (freshness: Freshness | undefined): HttpReply => ({
  status: 200,
  headers: { 'Content-Type': 'image/png', ETag: '"abc"', 'Cache-Control': 'public, max-age=60' },
  body: TILE,
  service: 'tms',
  freshness,
});

test('a fresh reply answers repeats of its URL with the same status, headers and bytes, access-logged', async (t) => {
  configureLogging({ level: 'info', stdout: false });
  t.after(() => {
    configureLogging();
  });
  const lines: LogRecord[] = [];
  t.after(onLog((record) => lines.push(record)));
  const remembered = new RememberedReplies();
  const freshness = switchable();
  const server = await serve(t, remembered, () => tileReply(freshness));
  const first = await server.send('/tms/1.0.0/osm/0/0/0.png');
  const again = await server.send('/tms/1.0.0/osm/0/0/0.png');
  const head = await server.send('/tms/1.0.0/osm/0/0/0.png', 'HEAD');
  assert.equal(server.routed(), 1, 'only the first request was routed');
  assert.ok(again.body.equals(TILE));
  const withoutDate = (headers: IncomingMessage['headers']) => ({ ...headers, date: undefined });
  assert.deepEqual(withoutDate(again.headers), withoutDate(first.headers));
  assert.deepEqual(withoutDate(head.headers), withoutDate(first.headers));
  assert.equal(head.body.length, 0, 'HEAD: headers only');
  const access = lines.filter((r) => r.name === 'mapproxy.access').map((r) => r.message);
  assert.equal(access.length, 2, access.join('\n'));
  assert.match(access[0] ?? '', /"GET \/tms\/1\.0\.0\/osm\/0\/0\/0\.png HTTP\/1\.1" 200 10 \d+ms$/);
  assert.match(access[1] ?? '', /"HEAD \/tms\/1\.0\.0\/osm\/0\/0\/0\.png HTTP\/1\.1" 200 10 \d+ms$/);
});

test('a reply stops answering once it is not fresh; conditional requests and other methods are always routed', async (t) => {
  const remembered = new RememberedReplies();
  const freshness = switchable();
  const server = await serve(t, remembered, () => tileReply(freshness));
  await server.send('/a');
  await server.send('/a', 'GET', { 'If-None-Match': '"abc"' });
  await server.send('/a', 'GET', { 'If-Modified-Since': new Date().toUTCString() });
  await server.send('/a', 'POST');
  assert.equal(server.routed(), 4);
  await server.send('/a');
  assert.equal(server.routed(), 4, 'a plain GET is answered from memory');
  freshness.fresh = false;
  await server.send('/a');
  assert.equal(server.routed(), 5, 'not fresh: routed again');
});

test('only fresh 200 replies are kept, within the byte bound, the oldest going first', () => {
  const remembered = new RememberedReplies(25);
  const request = (url: string) => ({ method: 'GET', url, headers: {} });
  remembered.remember(request('/none'), tileReply(undefined));
  remembered.remember(request('/404'), { ...tileReply(switchable()), status: 404 });
  remembered.remember(request('/text'), { ...tileReply(switchable()), body: 'text' });
  remembered.remember({ ...request('/etag'), headers: { 'if-none-match': '"abc"' } }, tileReply(switchable()));
  assert.equal(remembered.size, 0);
  remembered.remember(request('/a'), tileReply(switchable()));
  remembered.remember(request('/b'), tileReply(switchable()));
  assert.equal(remembered.size, 2);
  remembered.remember(request('/c'), tileReply(switchable()));
  assert.equal(remembered.size, 2, '30 bytes do not fit in 25: the oldest went');
  remembered.remember(request('/c'), tileReply(switchable()));
  assert.equal(remembered.size, 2, 'a URL again replaces its reply');
});

test('replies whose freshness is gone are dropped without their URLs being asked again', () => {
  // a look for gone replies each 20 bytes remembered (an eighth of the bound); TILE is 10 bytes
  const remembered = new RememberedReplies(160);
  const request = (url: string) => ({ method: 'GET', url, headers: {} });
  const gone = new Set<string>();
  const hotTile = (url: string): HttpReply =>
    tileReply({
      isFresh: () => !gone.has(url),
      isGone: () => gone.has(url),
    });
  const plain = switchable();
  remembered.remember(request('/a'), hotTile('/a'));
  remembered.remember(request('/plain'), tileReply(plain));
  assert.equal(remembered.size, 2);
  gone.add('/a');
  remembered.remember(request('/b'), hotTile('/b'));
  assert.equal(remembered.size, 3, 'no look before the next 20 bytes');
  remembered.remember(request('/c'), hotTile('/c'));
  assert.equal(remembered.size, 3, "a's freshness is gone: its reply went at the look");
  gone.add('/b');
  plain.fresh = false;
  remembered.remember(request('/d'), hotTile('/d'));
  remembered.remember(request('/e'), hotTile('/e'));
  assert.equal(remembered.size, 4, "b's reply went; one whose freshness cannot tell it is gone stays");
});
