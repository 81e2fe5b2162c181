/**
 * The tile pipeline over real sockets: a real mapproxy-ts server in front of an in-test WMS on
 * 127.0.0.1 that fails the test on any request it was not told to expect.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { CLI_ARGV } from '../helpers/cli.js';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { atTestEnd } from '../helpers/test-end.js';
import {
  deferred,
  noisyPng,
  pixelAt,
  solidPng,
  startUpstream,
  type UpstreamReply,
  type UpstreamRequest,
} from '../helpers/upstream.js';

const isGetMap = (request: UpstreamRequest): boolean =>
  request.pathname === '/service' && request.query.get('request') === 'GetMap';

/** A WMS answer of the requested size in one colour. */
const wmsImage = (rgba: readonly [number, number, number, number]) => async (request: UpstreamRequest) =>
  solidPng(rgba, [Number(request.query.get('width')), Number(request.query.get('height'))]);

/** Every file below `dir`, relative, sorted. */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

const proxyFor = (t: TestContext, upstreamUrl: string, clientTimeout = '10') =>
  startProxy(t, 'system/wms-cache.yaml', { UPSTREAM_URL: upstreamUrl, CLIENT_TIMEOUT: clientTimeout });

test('the first WMTS tile request creates the meta tile, the second is served from disk', async (t) => {
  const upstream = await startUpstream(t);
  // level 2 has 4x4 tiles: one 4x4 meta tile is the whole world, 1024 px without buffer
  upstream.expect(
    (r) => isGetMap(r) && r.query.get('width') === '1024' && r.query.get('srs') === 'EPSG:3857',
    wmsImage([200, 30, 30, 255]),
  );
  const proxy = await proxyFor(t, upstream.url);
  for (const attempt of ['miss', 'hit']) {
    const res = await fetch(`${proxy.url}/wmts/osm/GLOBAL_WEBMERCATOR/2/1/2.png`);
    assert.equal(res.status, 200, attempt);
    assert.equal(res.headers.get('content-type'), 'image/png', attempt);
    assert.deepEqual(
      await pixelAt(Buffer.from(await res.arrayBuffer()), 128, 128),
      [200, 30, 30, 255],
      attempt,
    );
  }
  assert.equal(upstream.requests.length, 1, 'only the first request reached the upstream');
  // the whole meta tile was stored at MapProxy's tc paths (WMTS row 2 = grid row 2, nw origin)
  const files = await filesBelow(join(proxy.dir, 'cache_data', 'osm_cache_EPSG3857'));
  assert.equal(files.length, 16);
  assert.ok(files.includes('02/000/000/001/000/000/002.png'));
});

test('32 concurrent requests for tiles of one meta tile cause exactly one upstream request', async (t) => {
  const upstream = await startUpstream(t);
  const release = deferred();
  upstream.expect(isGetMap, async (request) => {
    await release.promise;
    return wmsImage([20, 120, 40, 255])(request);
  });
  const proxy = await proxyFor(t, upstream.url);
  // level 3: the meta tile at the top left holds tiles x 0-3, y 0-3; ask for each twice
  const urls = Array.from(
    { length: 32 },
    (_, i) => `${proxy.url}/wmts/osm/GLOBAL_WEBMERCATOR/3/${i % 4}/${Math.floor(i / 4) % 4}.png`,
  );
  const responses = Promise.all(urls.map((url) => fetch(url)));
  await upstream.waitForRequests(1);
  release.resolve();
  for (const res of await responses) {
    assert.equal(res.status, 200);
    assert.deepEqual(await pixelAt(Buffer.from(await res.arrayBuffer()), 10, 10), [20, 120, 40, 255]);
  }
  assert.equal(upstream.requests.length, 1);
});

test('two server processes on one cache directory make one upstream request for one meta tile', async (t) => {
  const upstream = await startUpstream(t);
  const release = deferred();
  upstream.expect(isGetMap, async (request) => {
    await release.promise;
    return wmsImage([90, 90, 200, 255])(request);
  });
  const first = await proxyFor(t, upstream.url);
  // a second process serving the very same configuration file (same cache and lock dirs)
  const child = spawn(
    process.execPath,
    [...CLI_ARGV, 'serve-develop', first.configFile, '-b', '127.0.0.1:0', '--debug'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  atTestEnd(t, () => child.kill());
  let output = '';
  const waitForOutput = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output);
        if (match) resolve(match);
      };
      // the debug lines come on stdout, the `Running on` line on stderr
      for (const stream of [child.stdout, child.stderr]) {
        stream.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          check();
        });
      }
      child.once('exit', (code) => {
        reject(new Error(`second server exited with ${String(code)}:\n${output}`));
      });
      check();
    });
  const [, secondUrl] = await waitForOutput(/Running on (http:\/\/\S+?)\/ /);

  const tile = '/wmts/osm/GLOBAL_WEBMERCATOR/3/5/6.png';
  const fromFirst = fetch(`${first.url}${tile}`);
  await upstream.waitForRequests(1); // the first process holds the meta tile's lock now
  const fromSecond = fetch(`${secondUrl ?? ''}${tile}`);
  await waitForOutput(/waiting for tile lock/); // the second process waits for that lock
  release.resolve();
  for (const res of [await fromFirst, await fromSecond]) {
    assert.equal(res.status, 200);
    assert.deepEqual(await pixelAt(Buffer.from(await res.arrayBuffer()), 0, 0), [90, 90, 200, 255]);
  }
  assert.equal(upstream.requests.length, 1);
});

test('a failing source gives the service error and writes nothing to the cache', async (t) => {
  const cases: [string, Parameters<typeof upstreamFailing>[1]][] = [
    ['HTTP 500', { status: 500, body: 'boom' }],
    [
      'not an image',
      { status: 200, headers: { 'content-type': 'text/xml' }, body: '<ServiceExceptionReport/>' },
    ],
    ['timeout', { hang: true }],
    // the meta tiles asked for are 512 px (WMTS level 1) and 1024 px (TMS level 1 = grid level 2);
    // an answer of another size used to be padded or cropped into the cache
    ['smaller image', { body: await solidPng([10, 20, 30, 255], [256, 256]) }],
    ['image of another shape', { body: await solidPng([10, 20, 30, 255], [800, 600]) }],
    ['truncated PNG', { headers: { 'content-type': 'image/png' }, body: await truncatedPng([512, 512]) }],
  ];
  for (const [what, reply] of cases) {
    const upstream = await upstreamFailing(t, reply);
    const proxy = await proxyFor(t, upstream.url, '0.5');
    await assertServiceErrorsStoreNothing(
      proxy,
      ['/wmts/osm/GLOBAL_WEBMERCATOR/1/0/0.png', '/tms/1.0.0/osm/EPSG3857/1/0/0.png'],
      what,
    );
  }
});

/** WMTS then TMS `paths` answer 500 with each service's exception, and the cache dir stays empty. */
async function assertServiceErrorsStoreNothing(
  proxy: RunningProxy,
  [wmtsPath, tmsPath]: readonly [string, string],
  what: string,
): Promise<void> {
  const wmts = await fetch(`${proxy.url}${wmtsPath}`);
  assert.equal(wmts.status, 500, what);
  assert.match(await wmts.text(), /<ows:Exception exceptionCode="NoApplicableCode"/, what);
  const tms = await fetch(`${proxy.url}${tmsPath}`);
  assert.equal(tms.status, 500, what);
  assert.match(await tms.text(), /<TileMapServerError>/, what);
  assert.deepEqual(await filesBelow(join(proxy.dir, 'cache_data', 'osm_cache_EPSG3857')), [], what);
}

async function upstreamFailing(t: TestContext, reply: UpstreamReply) {
  const upstream = await startUpstream(t);
  upstream.expect(isGetMap, reply, { times: 2 });
  return upstream;
}

test('a tile source answering a truncated or wrong-size tile gives the service error and writes nothing', async (t) => {
  const cases: [string, Buffer][] = [
    ['truncated PNG', await truncatedPng([256, 256])],
    ['512x512 tile for a 256 grid', await solidPng([10, 20, 30, 255], [512, 512])],
  ];
  for (const [what, body] of cases) {
    const upstream = await startUpstream(t);
    upstream.expect('/tiles/1/0/0.png', { headers: { 'content-type': 'image/png' }, body }, { times: 2 });
    const proxy = await startProxy(t, 'system/tile-cache.yaml', { UPSTREAM_URL: upstream.url });
    // both are grid tile 1/0/0: TMS level 0 of GLOBAL_WEBMERCATOR is grid level 1, rows from the bottom
    await assertServiceErrorsStoreNothing(
      proxy,
      ['/wmts/osm/GLOBAL_WEBMERCATOR/1/0/0.png', '/tms/1.0.0/osm/EPSG3857/0/0/1.png'],
      what,
    );
  }
});

/** A PNG of `size` cut off in its image data; its Content-Length matches what is sent. */
async function truncatedPng(size: readonly [number, number]): Promise<Buffer> {
  const png = await noisyPng(size);
  return png.subarray(0, Math.floor(png.length * 0.6));
}

test("tiles outside the grid get each service's own error and never reach the upstream", async (t) => {
  const upstream = await startUpstream(t);
  const proxy = await proxyFor(t, upstream.url);
  const wmts = await fetch(`${proxy.url}/wmts/osm/GLOBAL_WEBMERCATOR/1/5/0.png`);
  assert.equal(wmts.status, 400);
  assert.match(await wmts.text(), /exceptionCode="TileOutOfRange"/);
  const tms = await fetch(`${proxy.url}/tms/1.0.0/osm/EPSG3857/1/9/9.png`);
  assert.equal(tms.status, 404);
  assert.match(await tms.text(), /The requested tile is outside the bounding box of the tile map\./);
  const tiles = await fetch(`${proxy.url}/tiles/osm/EPSG3857/1/9/9.png`);
  assert.equal(tiles.status, 404);
  assert.equal(upstream.requests.length, 0);
});

test('cached tiles answer conditional requests with 304 and carry MapProxy cache headers', async (t) => {
  const upstream = await startUpstream(t);
  upstream.expect(isGetMap, wmsImage([1, 2, 3, 255]));
  const proxy = await proxyFor(t, upstream.url);
  const url = `${proxy.url}/tms/1.0.0/osm/EPSG3857/0/0/0.png`;
  assert.equal((await fetch(url)).status, 200); // creates the tile
  // like MapProxy, the ETag of a stored tile comes from its file; the creating response has none yet
  const first = await fetch(url);
  assert.equal(first.status, 200);
  const etag = first.headers.get('etag') ?? '';
  assert.match(etag, /^[0-9a-f]{32}$/);
  assert.equal(first.headers.get('cache-control'), 'public, max-age=259200, s-maxage=259200');
  const file = join(
    proxy.dir,
    'cache_data',
    'osm_cache_EPSG3857',
    '01',
    '000',
    '000',
    '000',
    '000',
    '000',
    '001.png',
  );
  assert.equal(first.headers.get('last-modified'), new Date((await stat(file)).mtimeMs).toUTCString());
  const byEtag = await fetch(url, { headers: { 'If-None-Match': etag } });
  assert.equal(byEtag.status, 304);
  const byDate = await fetch(url, {
    headers: { 'If-Modified-Since': new Date(Date.now() + 60_000).toUTCString() },
  });
  assert.equal(byDate.status, 304);
  const older = await fetch(url, { headers: { 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' } });
  assert.equal(older.status, 200);
  assert.equal(upstream.requests.length, 1);
});
