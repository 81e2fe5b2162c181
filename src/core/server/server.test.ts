import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import type { Service, ServiceRequest, ServiceResponse } from '../service/index.js';
import type { ServedApp } from '../app/index.js';
import { buildServer, runServer, type ReloadOutcome } from './index.js';

const TILE_MTIME_MS = 1234567890_000;
const TILE = Buffer.from('not really a png, but bytes');

/** A service that records what it was asked and answers with `respond`. */
function fakeService(respond: (request: ServiceRequest) => ServiceResponse | Promise<ServiceResponse>) {
  const seen: ServiceRequest[] = [];
  const service: Service = {
    handle: async (request) => {
      seen.push(request);
      return respond(request);
    },
  };
  return { service, seen };
}

const tileResponse = (): ServiceResponse => ({
  status: 200,
  contentType: 'image/png',
  body: TILE,
  cache: { kind: 'tile', timestampMs: TILE_MTIME_MS, maxAgeSeconds: 259200 },
});

async function serve(t: TestContext, app: ServedApp, debug = false): Promise<string> {
  const server = buildServer(() => app, { debug });
  t.after(() => server.close());
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  assert.ok(typeof address === 'object' && address !== null);
  return `http://127.0.0.1:${address.port}`;
}

test('routes by first path segment and passes path, lower-cased query and script URL', async (t) => {
  const tms = fakeService(tileResponse);
  const url = await serve(t, { routes: { tms: tms.service }, accessControlAllowOrigin: '*', hasDemo: false });
  const res = await fetch(`${url}/mapproxy/tms/1.0.0/osm/0/0/0.png?Origin=nw&origin=sw`, {
    headers: { 'X-Script-Name': '/mapproxy', 'X-Forwarded-Host': 'maps.example.org' },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), TILE);
  assert.equal(tms.seen.length, 1);
  const [seen] = tms.seen;
  assert.ok(seen);
  assert.equal(seen.path, '/tms/1.0.0/osm/0/0/0.png');
  assert.deepEqual(seen.query, { origin: 'nw' });
  assert.equal(seen.scriptUrl, 'http://maps.example.org/mapproxy');
});

test('tile responses carry MapProxy cache headers and no Vary; CORS everywhere', async (t) => {
  const url = await serve(t, {
    routes: { tms: fakeService(tileResponse).service },
    accessControlAllowOrigin: '*',
    hasDemo: false,
  });
  const res = await fetch(`${url}/tms/x.png`);
  // hashlib.md5((str(1234567890.0) + str(27)).encode()).hexdigest(), as MapProxy computes it
  assert.equal(res.headers.get('etag'), 'c50f6fca480c87c647449ae29351f56f');
  assert.equal(res.headers.get('last-modified'), 'Fri, 13 Feb 2009 23:31:30 GMT');
  assert.equal(res.headers.get('cache-control'), 'public, max-age=259200, s-maxage=259200');
  assert.equal(res.headers.get('vary'), null);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
});

test('conditional requests: exact ETag or a later If-Modified-Since give 304, others 200', async (t) => {
  const url = await serve(t, {
    routes: { tms: fakeService(tileResponse).service },
    accessControlAllowOrigin: '*',
    hasDemo: false,
  });
  const first = await fetch(`${url}/tms/x.png`);
  const etag = first.headers.get('etag') ?? '';
  const cases: [Record<string, string>, number, string][] = [
    [{ 'If-None-Match': etag }, 304, 'exact etag'],
    [{ 'If-None-Match': `"${etag}"` }, 200, 'quoted etag does not match (as MapProxy)'],
    [{ 'If-Modified-Since': 'Fri, 13 Feb 2009 23:31:30 GMT' }, 304, 'same second'],
    [{ 'If-Modified-Since': 'Fri, 13 Feb 2009 23:31:29 GMT' }, 200, 'one second older'],
    [{ 'If-Modified-Since': 'yesterday' }, 200, 'garbage date ignored'],
  ];
  for (const [headers, status, what] of cases) {
    const res = await fetch(`${url}/tms/x.png`, { headers });
    assert.equal(res.status, status, what);
    if (status === 304) {
      assert.equal(res.headers.get('content-type'), null, what);
      assert.equal(res.headers.get('etag'), etag, what);
      assert.equal(res.headers.get('access-control-allow-origin'), '*', what);
      assert.equal((await res.arrayBuffer()).byteLength, 0, what);
    }
  }
});

test('KML-style documents get an md5-of-body ETag and answer a matching If-None-Match with 304', async (t) => {
  const kml = '<kml>doc</kml>';
  const service = fakeService(() => ({
    status: 200,
    contentType: 'application/vnd.google-earth.kml+xml',
    body: kml,
    cache: { kind: 'document', maxAgeSeconds: 3600 },
  }));
  const url = await serve(t, {
    routes: { kml: service.service },
    accessControlAllowOrigin: '*',
    hasDemo: false,
  });
  const res = await fetch(`${url}/kml/osm`);
  // hashlib.md5(b'<kml>doc</kml>').hexdigest()
  assert.equal(res.headers.get('etag'), '56b201b204fb486b657538e48f1ed782');
  assert.equal(res.headers.get('last-modified'), null);
  assert.equal(res.headers.get('cache-control'), 'public, max-age=3600, s-maxage=3600');
  const again = await fetch(`${url}/kml/osm`, {
    headers: { 'If-None-Match': res.headers.get('etag') ?? '' },
  });
  assert.equal(again.status, 304);
});

test('no-cache responses get the no-cache trio; documents get Vary', async (t) => {
  const wmts = fakeService(() => ({
    status: 400,
    contentType: 'text/xml',
    body: '<ExceptionReport/>',
    cache: { kind: 'no-cache' },
  }));
  const url = await serve(t, {
    routes: { wmts: wmts.service },
    accessControlAllowOrigin: '',
    hasDemo: false,
  });
  const res = await fetch(`${url}/wmts/x`);
  assert.equal(res.status, 400);
  assert.equal(res.headers.get('cache-control'), 'no-cache, no-store');
  assert.equal(res.headers.get('pragma'), 'no-cache');
  assert.equal(res.headers.get('expires'), '-1');
  assert.equal(res.headers.get('vary'), 'X-Script-Name, X-Forwarded-Host, X-Forwarded-Proto');
  assert.equal(res.headers.get('access-control-allow-origin'), null, 'empty setting disables CORS');
});

test('unknown paths are a plain 404, the root a welcome page linking the demo', async (t) => {
  const url = await serve(t, { routes: {}, accessControlAllowOrigin: '*', hasDemo: true });
  const missing = await fetch(`${url}/nothing/here`);
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(await missing.text(), 'not found');
  const root = await fetch(`${url}/`, { headers: { 'X-Script-Name': '/a"b' } });
  assert.equal(root.status, 200);
  const html = await root.text();
  assert.match(html, /^<html><body><h1>Welcome to MapProxy/);
  assert.match(html, /<a href="http:\/\/127\.0\.0\.1:\d+\/a%22b\/demo\/">demo<\/a>/);
});

test('an unexpected service error is a generic 500; --debug adds the detail', async (t) => {
  const failing = fakeService(() => {
    throw new Error('secret internals');
  });
  for (const debug of [false, true]) {
    const url = await serve(
      t,
      { routes: { tms: failing.service }, accessControlAllowOrigin: '*', hasDemo: false },
      debug,
    );
    const res = await fetch(`${url}/tms/1.0.0/`);
    assert.equal(res.status, 500);
    const body = await res.text();
    assert.equal(body.startsWith('internal error'), true);
    assert.equal(body.includes('secret internals'), debug);
  }
});

test('POST bodies are ignored; the query string is what counts', async (t) => {
  const ows = fakeService(() => ({
    status: 200,
    contentType: 'text/plain',
    body: 'ok',
    cache: { kind: 'none' },
  }));
  const url = await serve(t, {
    routes: { service: ows.service },
    accessControlAllowOrigin: '*',
    hasDemo: false,
  });
  const res = await fetch(`${url}/service?REQUEST=GetCapabilities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"not": "json',
  });
  assert.equal(res.status, 200);
  assert.deepEqual(ows.seen[0]?.query, { request: 'GetCapabilities' });
});

test('reload serves an edited configuration and keeps the last good one after a broken edit', async (t) => {
  const dir = await makeTempDir(t);
  const configFile = join(dir, 'mapproxy.yaml');
  await writeFile(configFile, 'first');
  // the "configuration" is the file's text; BROKEN makes the loader fail like a config error
  const loadApp = async (file: string) => {
    const text = await readFile(file, 'utf8');
    if (text.startsWith('BROKEN')) throw new Error('mapproxy.yaml:1:1: YAML syntax error');
    const answer = fakeService(() => ({
      status: 200,
      contentType: 'text/plain',
      body: text,
      cache: { kind: 'none' },
    }));
    return {
      app: { routes: { demo: answer.service }, accessControlAllowOrigin: '*', hasDemo: true },
      files: [file],
    };
  };
  const server = await runServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
    loadApp,
    reload: true,
  });
  t.after(() => server.close());
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const body = async () => (await fetch(`${server.url}/demo/`)).text();
  assert.equal(await body(), 'first');

  const nextReload = () =>
    new Promise<ReloadOutcome>((resolve) => {
      const off = server.onReload((outcome) => {
        off();
        resolve(outcome);
      });
    });
  let reloaded = nextReload();
  await writeFile(configFile, 'second');
  assert.equal((await reloaded).ok, true);
  assert.equal(await body(), 'second');

  reloaded = nextReload();
  await writeFile(configFile, 'BROKEN edit');
  assert.equal((await reloaded).ok, false);
  assert.equal(await body(), 'second', 'the last good configuration keeps serving');
});
