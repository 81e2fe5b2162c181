/**
 * `globals.cache.hot_tiles` over real sockets: hits served from memory (same bytes, validators
 * and hit counters), a changed file's new bytes once the TTL has passed (also when background
 * rechecks keep a tile in steady use), and the byte bound.
 * Repeats of a hot tile's URL are answered with the remembered reply: the same headers and
 * bytes from serve-develop and from `makeApp` (what `serve` runs), until a reload replaces them.
 */
import assert from 'node:assert/strict';
import { appendFile, rm, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { makeApp, startServer } from '../../src/core/index.js';
import { copyFixture } from '../helpers/fixtures.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { pixelAt, solidPng, startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const TILE = '/wmts/osm/GLOBAL_WEBMERCATOR/2/1/2.png';
/** Where the level-2 tile at WMTS column `x`, row `y` is stored (tc layout; WMTS rows = grid rows, nw origin). */
const tileFile = (proxy: Pick<RunningProxy, 'dir'>, x = 1, y = 2): string =>
  join(
    proxy.dir,
    'cache_data',
    'osm_cache_EPSG3857',
    '02',
    '000',
    '000',
    pad(x),
    '000',
    '000',
    pad(y) + '.png',
  );
const pad = (n: number): string => String(n).padStart(3, '0');

const RED = [200, 30, 30, 255] as const;

/** An upstream that must be asked for the level-2 meta tile exactly `times` times. */
async function upstreamFor(t: TestContext, times: number) {
  const upstream = await startUpstream(t);
  upstream.expect(
    (r: UpstreamRequest) => r.query.get('request') === 'GetMap' && r.query.get('width') === '1024',
    (r) => solidPng(RED, [Number(r.query.get('width')), Number(r.query.get('height'))]),
    { times },
  );
  return upstream;
}

/** The fixture with `hot_tiles: {max_mb, ttl_seconds}`. */
const proxyWith = (t: TestContext, upstreamUrl: string, maxMb: string, ttlSeconds: string) =>
  startProxy(t, 'hot-tiles/mapproxy.yaml', {
    UPSTREAM_URL: upstreamUrl,
    MAX_MB: maxMb,
    TTL_SECONDS: ttlSeconds,
  });

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  const body = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    body,
    etag: res.headers.get('etag'),
    lastModified: res.headers.get('last-modified'),
  };
}

async function cacheHits(proxy: Pick<RunningProxy, 'url'>): Promise<number> {
  const text = await (await fetch(`${proxy.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('mapproxy_cache_hits_total{cache="osm_cache_GLOBAL_WEBMERCATOR"}'));
  return Number(line?.split(' ')[1] ?? 0);
}

test('within its TTL a hot tile is served from memory: same bytes, validators, 304 and hit count', async (t) => {
  const upstream = await upstreamFor(t, 1);
  const proxy = await proxyWith(t, upstream.url, '8', '3600');
  const created = await get(`${proxy.url}${TILE}`);
  assert.equal(created.status, 200);
  const hitsBefore = await cacheHits(proxy);
  const stored = await get(`${proxy.url}${TILE}`); // read from the file, and kept
  // gone from disk: only the hot copy can answer, and the upstream is not asked again
  await rm(tileFile(proxy));
  const hot = await get(`${proxy.url}${TILE}`);
  assert.equal(hot.status, 200);
  assert.ok(hot.body.equals(stored.body));
  assert.deepEqual([hot.etag, hot.lastModified], [stored.etag, stored.lastModified]);
  assert.notEqual(stored.etag, null);
  const conditional = await get(`${proxy.url}${TILE}`, { 'If-None-Match': stored.etag ?? '' });
  assert.equal(conditional.status, 304);
  assert.equal((await cacheHits(proxy)) - hitsBefore, 3, 'hot hits count as cache hits');
  upstream.verify();
});

test('past its TTL a changed tile file is served with its new bytes and validators', async (t) => {
  // ttl_seconds 0: every hit checks the file's mtime, so the change shows on the next request
  const upstream = await upstreamFor(t, 2);
  const proxy = await proxyWith(t, upstream.url, '8', '0');
  await get(`${proxy.url}${TILE}`);
  const first = await get(`${proxy.url}${TILE}`);
  assert.deepEqual(await pixelAt(first.body, 10, 10), [...RED]);
  // what a seeding process does: a new file with a new mtime
  await writeFile(tileFile(proxy), await solidPng([0, 0, 255, 255], [256, 256]));
  const later = new Date(Date.now() + 60_000);
  await utimes(tileFile(proxy), later, later);
  const changed = await get(`${proxy.url}${TILE}`);
  assert.deepEqual(await pixelAt(changed.body, 10, 10), [0, 0, 255, 255]);
  assert.notEqual(changed.etag, first.etag);
  assert.equal(changed.lastModified, later.toUTCString());
  // what cleanup does: the file is gone, so the tile is created again
  await rm(tileFile(proxy));
  const recreated = await get(`${proxy.url}${TILE}`);
  assert.deepEqual(await pixelAt(recreated.body, 10, 10), [...RED]);
  upstream.verify();
});

test('a hot tile in steady use is rechecked in the background: a changed file shows within the TTL', async (t) => {
  const upstream = await upstreamFor(t, 1);
  const proxy = await proxyWith(t, upstream.url, '8', '1');
  await get(`${proxy.url}${TILE}`);
  const first = await get(`${proxy.url}${TILE}`);
  assert.deepEqual(await pixelAt(first.body, 10, 10), [...RED]);
  // repeats for a while, so the entry is renewed by background checks, not on expiry
  const until = Date.now() + 1500;
  while (Date.now() < until) assert.ok((await get(`${proxy.url}${TILE}`)).body.equals(first.body));
  await writeFile(tileFile(proxy), await solidPng([0, 0, 255, 255], [256, 256]));
  const later = new Date(Date.now() + 60_000);
  await utimes(tileFile(proxy), later, later);
  const changedAt = Date.now();
  let seen: Awaited<ReturnType<typeof get>> | undefined;
  while (seen === undefined && Date.now() - changedAt < 10_000) {
    const answer = await get(`${proxy.url}${TILE}`);
    if (!answer.body.equals(first.body)) seen = answer;
  }
  assert.ok(seen !== undefined, 'the changed file was never served');
  // the TTL (1 s) plus room for a loaded machine; a renewal that ignored the change never ends
  assert.ok(Date.now() - changedAt < 4000, `served ${Date.now() - changedAt} ms after the change`);
  assert.deepEqual(await pixelAt(seen.body, 10, 10), [0, 0, 255, 255]);
  assert.equal(seen.lastModified, later.toUTCString());
  upstream.verify();
});

test('a meta tile created again drops the hot copies of all its tiles, not only the requested one', async (t) => {
  const upstream = await startUpstream(t);
  const colours = [RED, [0, 0, 255, 255] as const];
  let calls = 0;
  upstream.expect(
    (r: UpstreamRequest) => r.query.get('request') === 'GetMap' && r.query.get('width') === '1024',
    (r) => solidPng(colours[calls++] ?? RED, [Number(r.query.get('width')), Number(r.query.get('height'))]),
    { times: 2 },
  );
  const proxy = await proxyWith(t, upstream.url, '8', '3600');
  await get(`${proxy.url}${TILE}`);
  const hot = await get(`${proxy.url}${TILE}`);
  assert.deepEqual(await pixelAt(hot.body, 10, 10), [...RED]);
  // another tile of the same 4x4 meta tile (level 2 is one meta tile) goes missing: its
  // creation rewrites every tile of the meta tile, TILE included
  await rm(tileFile(proxy, 0, 0));
  await get(`${proxy.url}/wmts/osm/GLOBAL_WEBMERCATOR/2/0/0.png`);
  const rewritten = await get(`${proxy.url}${TILE}`);
  assert.deepEqual(await pixelAt(rewritten.body, 10, 10), [0, 0, 255, 255]);
  assert.notEqual(rewritten.etag, hot.etag);
  upstream.verify();
});

test('a tile larger than max_mb is not kept: every hit reads the cache', async (t) => {
  const upstream = await upstreamFor(t, 2);
  // 0.0001 MB = 104 bytes, smaller than any tile
  const proxy = await proxyWith(t, upstream.url, '0.0001', '3600');
  await get(`${proxy.url}${TILE}`);
  assert.equal((await get(`${proxy.url}${TILE}`)).status, 200);
  await rm(tileFile(proxy));
  assert.equal((await get(`${proxy.url}${TILE}`)).status, 200);
  upstream.verify();
});

test('a negative max_mb is a configuration error at its key', async (t) => {
  await assert.rejects(proxyWith(t, 'http://127.0.0.1:9', '-1', '1'), {
    name: 'ConfigErrors',
    message: /mapproxy\.yaml:25:15 globals\.cache\.hot_tiles\.max_mb: max_mb must be a number >= 0, not -1/,
  });
});

/** A copy of the fixture that keeps hot tiles for an hour. */
const longTtlConfig = (t: TestContext, upstreamUrl: string) =>
  copyFixture(t, 'hot-tiles/mapproxy.yaml', { UPSTREAM_URL: upstreamUrl, MAX_MB: '8', TTL_SECONDS: '3600' });

/** Status, headers (without Date) and body of a GET or HEAD. */
async function exchange(url: string, method = 'GET') {
  const res = await fetch(url, { method });
  const headers = Object.fromEntries([...res.headers].filter(([name]) => name !== 'date'));
  return { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) };
}

/**
 * GETs `url` until the reply is remembered (created, read from the file, served hot), then
 * answers repeats with the file gone: each must equal the hot reply, HEAD without the body.
 */
async function assertRepeatsAsServed(
  t: TestContext,
  base: string,
  tileOnDisk: string,
  hits: () => Promise<number>,
) {
  const url = `${base}${TILE}`;
  await exchange(url);
  await exchange(url);
  const hot = await exchange(url);
  await rm(tileOnDisk);
  const before = await hits();
  const repeats = [await exchange(url), await exchange(url)];
  const head = await exchange(url, 'HEAD');
  for (const repeat of repeats) {
    assert.deepEqual(repeat.headers, hot.headers);
    assert.ok(repeat.body.equals(hot.body));
  }
  assert.equal(hot.headers['content-length'], String(hot.body.length));
  // fetch closes the connection after a HEAD (so does the routed path): compare the reply's own headers
  const own = (headers: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(headers).filter(([name]) => name !== 'connection' && name !== 'keep-alive'),
    );
  assert.deepEqual([head.status, own(head.headers), head.body.length], [200, own(hot.headers), 0]);
  assert.equal((await hits()) - before, 3, 'answers given again count as cache hits');
  t.diagnostic(`headers: ${JSON.stringify(hot.headers)}`);
}

test('serve-develop answers repeats of a hot tile with the same headers and bytes, HEAD included', async (t) => {
  const upstream = await upstreamFor(t, 1);
  const proxy = await proxyWith(t, upstream.url, '8', '3600');
  await assertRepeatsAsServed(t, proxy.url, tileFile(proxy), () => cacheHits(proxy));
  upstream.verify();
});

test("makeApp (serve's handler) answers repeats of a hot tile with the same headers and bytes", async (t) => {
  const upstream = await upstreamFor(t, 1);
  const configFile = await longTtlConfig(t, upstream.url);
  const application = await makeApp(configFile);
  const server = createServer(application).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await application.close();
  });
  const address = server.address();
  const base = `http://127.0.0.1:${String(typeof address === 'object' && address !== null ? address.port : 0)}`;
  const proxy = { url: base, dir: dirname(configFile) };
  await assertRepeatsAsServed(t, base, tileFile(proxy), () => cacheHits(proxy));
  upstream.verify();
});

test('a reload replaces the remembered replies: the new configuration answers at once', async (t) => {
  const upstream = await upstreamFor(t, 1);
  const configFile = await longTtlConfig(t, upstream.url);
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
    reload: true,
  });
  t.after(() => server.close());
  const url = `${server.url}${TILE}`;
  for (let i = 0; i < 4; i++) await exchange(url);
  assert.equal((await exchange(url)).headers['cache-control'], 'public, max-age=259200, s-maxage=259200');
  const reloaded = new Promise<boolean>((resolve) => {
    const off = server.onReload((outcome) => {
      off();
      resolve(outcome.ok);
    });
  });
  // globals is the file's last section: two hours instead of MapProxy's default 72
  await appendFile(configFile, '  tiles:\n    expires_hours: 2\n');
  assert.equal(await reloaded, true);
  assert.equal((await exchange(url)).headers['cache-control'], 'public, max-age=7200, s-maxage=7200');
  upstream.verify();
});
