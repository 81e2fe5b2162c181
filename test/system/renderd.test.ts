/**
 * `globals.renderd.address` (MapProxy's renderd client) on MapProxy's own fixture
 * renderd_client.yaml: a cache miss POSTs a JSON task for the meta tile's main tile to renderd,
 * which stores the tile itself; the tile is then read from the cache. Tasks, ids and messages are
 * the ones MapProxy 1.15's test_renderd_client.py asserts.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { startProxy, type RunningProxy } from '../helpers/proxy.js';
import { startUpstream, type Upstream, type UpstreamHandler } from '../helpers/upstream.js';

const GETMAP =
  '/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=wms_cache&STYLES=&SRS=EPSG:4326' +
  '&BBOX=0,0,9,9&WIDTH=200&HEIGHT=200&FORMAT=image/png&EXCEPTIONS=application/vnd.ogc.se_xml';

/** The task MapProxy posts for the meta tile of GETMAP (main tile 15,17 of a 3x3 meta tile on level 5). */
const GETMAP_TASK =
  '{"command": "tile", "id": "aeb52b506e4e82d0a1edf649d56e0451cfd5862c", "tiles": [[15, 17, 5]], ' +
  '"cache_identifier": "wms_cache_GLOBAL_MERCATOR", "priority": 100}';

interface Setup {
  readonly proxy: RunningProxy;
  readonly renderd: Upstream;
}

/** renderd_client.yaml with its renderd (expecting `task` once, answered by `reply`) and a silent WMS. */
async function start(
  t: TestContext,
  task: string | null,
  reply: (proxy: RunningProxy) => UpstreamHandler,
): Promise<Setup> {
  const renderd = await startUpstream(t);
  const upstream = await startUpstream(t);
  const proxy = await startProxy(t, 'renderd/renderd_client.yaml', {
    RENDERD_URL: renderd.url,
    UPSTREAM_URL: upstream.url,
  });
  if (task !== null)
    renderd.expect((r) => r.method === 'POST' && r.path === '/' && r.body.toString() === task, reply(proxy));
  return { proxy, renderd };
}

/** renderd's side: it renders and stores the tile, then answers ok. */
function storeThenOk(file: string, data: () => Promise<Buffer>): (proxy: RunningProxy) => UpstreamHandler {
  return (proxy) => async () => {
    const path = join(proxy.dir, 'cache_data', file);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await data());
    return { headers: { 'content-type': 'application/json' }, body: '{"status": "ok"}' };
  };
}

function exceptionText(body: string): string {
  return /<ServiceException>([\s\S]*?)<\/ServiceException>/.exec(body)?.[1] ?? body;
}

test('a WMS cache miss asks renderd for the main tile, then serves the tile renderd stored', async (t) => {
  const red = (): Promise<Buffer> =>
    sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 255, g: 0, b: 100 } } })
      .jpeg()
      .toBuffer();
  const { proxy, renderd } = await start(
    t,
    GETMAP_TASK,
    storeThenOk('wms_cache_EPSG900913/05/000/000/016/000/000/016.jpeg', red),
  );
  for (const attempt of ['miss', 'hit']) {
    const res = await fetch(proxy.url + GETMAP);
    assert.equal(res.status, 200, attempt);
    assert.equal(res.headers.get('content-type'), 'image/png', attempt);
    const { data, info } = await sharp(Buffer.from(await res.arrayBuffer()))
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [200, 200]);
    const [r = 0, g = 0, b = 0] = data.subarray(100 * 200 * info.channels, 100 * 200 * info.channels + 3);
    assert.ok(r > 250 && g < 5 && b > 95 && b < 105, `${attempt}: ${[r, g, b].join(',')}`);
  }
  assert.equal(renderd.requests.length, 1); // the second map came from the cache
});

test('a TMS tile miss asks renderd for that tile and serves its bytes as stored', async (t) => {
  const task =
    '{"command": "tile", "id": "cf35c1c927158e188d8fbe0db380c1772b536da9", "tiles": [[10, 20, 6]], ' +
    '"cache_identifier": "tms_cache_GLOBAL_MERCATOR", "priority": 100}';
  const { proxy } = await start(
    t,
    task,
    storeThenOk('tms_cache_EPSG900913/06/000/000/010/000/000/020.png', () =>
      Promise.resolve(Buffer.from('foobaz')),
    ),
  );
  const res = await fetch(`${proxy.url}/tiles/tms_cache/EPSG900913/6/10/20.png`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  assert.equal(await res.text(), 'foobaz');
});

test('renderd errors become the service exceptions MapProxy writes', async (t) => {
  await t.test('status error on a WMS map', async (t) => {
    const { proxy } = await start(t, GETMAP_TASK, () => ({
      body: '{"status": "error", "error_message": "barf"}',
    }));
    const res = await fetch(proxy.url + GETMAP);
    assert.equal(res.headers.get('content-type'), 'application/vnd.ogc.se_xml');
    assert.equal(exceptionText(await res.text()), 'Could not get any sources:\nError from renderd: barf');
  });
  await t.test('an answer that is not JSON', async (t) => {
    const { proxy } = await start(t, GETMAP_TASK, () => ({ body: '{"invalid' }));
    const res = await fetch(proxy.url + GETMAP);
    assert.equal(
      exceptionText(await res.text()),
      'Could not get any sources:\nError while communicating with renderd: invalid JSON',
    );
  });
  await t.test('status error on a TMS tile: 500 with the message', async (t) => {
    const task =
      '{"command": "tile", "id": "c24b8c3247afec34fd0a53e5d3706e977877ef47", "tiles": [[10, 20, 7]], ' +
      '"cache_identifier": "tms_cache_GLOBAL_MERCATOR", "priority": 100}';
    const { proxy } = await start(t, task, () => ({
      body: '{"status": "error", "error_message": "you told me to fail"}',
    }));
    const res = await fetch(`${proxy.url}/tiles/tms_cache/EPSG900913/7/10/20.png`);
    assert.equal(res.status, 500);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await res.text(), 'Error from renderd: you told me to fail');
  });
  await t.test('renderd unreachable', async (t) => {
    const { proxy, renderd } = await start(t, null, () => ({}));
    await renderd.close();
    const res = await fetch(proxy.url + GETMAP);
    assert.match(
      exceptionText(await res.text()),
      /^Could not get any sources:\nError while communicating with renderd: \S/,
    );
  });
});
