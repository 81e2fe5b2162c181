/**
 * A WMS or mapserver source's transparency is MapProxy's `image_opts.transparent`: its
 * `image.transparent` when set, else `req.transparent`. A GetMap skips the layers below one that
 * is opaque for the map (MapProxy `is_opaque`), so the key decides which upstreams are asked; a
 * cache over transparent sources stores transparent tiles.
 */
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { startServer } from '../../src/core/index.js';
import { copyFixture, FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { needs } from '../helpers/system-programs.js';
import { solidPng, startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

async function start(t: TestContext) {
  const answer = (request: UpstreamRequest) =>
    solidPng([0, 0, 200, 128], [Number(request.query.get('width')), Number(request.query.get('height'))]);
  const upstream = await startUpstream(t, { '/bottom': answer, '/top1': answer, '/top2': answer });
  const dir = await makeTempDir(t, 'wms-source-transparent-');
  const configFile = join(dir, 'mapproxy.yaml');
  await writeFile(
    configFile,
    `
services:
  wms:
    md: {title: transparency}
layers:
  - {name: bottom, title: bottom, sources: [bottom]}
  - {name: opaque_top, title: opaque top, sources: [top1]}
  - {name: transparent_top, title: transparent top, sources: [top2]}
sources:
  bottom:
    type: wms
    req: {url: '${upstream.url}/bottom', layers: b}
  top1:
    type: wms
    req: {url: '${upstream.url}/top1', layers: t, transparent: true}
    image: {transparent: false}
  top2:
    type: wms
    req: {url: '${upstream.url}/top2', layers: t}
    image: {transparent: true}
`,
  );
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  return { url: server.url, upstream };
}

async function upstreamsAskedFor(t: TestContext, layers: string): Promise<string[]> {
  const { url, upstream } = await start(t);
  const res = await fetch(
    `${url}/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=${layers}&STYLES=` +
      '&SRS=EPSG:3857&BBOX=0,0,1000000,1000000&WIDTH=64&HEIGHT=64&FORMAT=image/png&TRANSPARENT=true',
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  return upstream.requests.map((r) => r.pathname).sort();
}

test('image.transparent: false makes a source opaque whatever req.transparent says: the layer below is not requested', async (t) => {
  assert.deepEqual(await upstreamsAskedFor(t, 'bottom,opaque_top'), ['/top1']);
});

test('image.transparent: true makes a source transparent without req.transparent: the layer below is requested too', async (t) => {
  assert.deepEqual(await upstreamsAskedFor(t, 'bottom,transparent_top'), ['/bottom', '/top2']);
});

test(
  'a cache over a mapserver source with req.transparent stores transparent tiles, as over a wms source',
  { skip: needs('mapserv') },
  async (t) => {
    const configFile = await copyFixture(t, 'mapserver-source/mapserver.yaml', {
      MAPSERV: '/usr/bin/mapserv',
    });
    const dir = dirname(configFile);
    for (const name of ['world.map', 'mapserver.conf'])
      await copyFile(join(FIXTURES_DIR, 'mapserver-source', name), join(dir, name));
    // a cache of the fixture's `route` source (req.transparent: true, a line on nothing)
    const config = (await readFile(configFile, 'utf8'))
      .replace(
        'layers:\n',
        'layers:\n  - {name: route_cached, title: route cached, sources: [route_cache]}\n',
      )
      .replace(
        'caches:\n',
        'caches:\n  route_cache:\n    grids: [GLOBAL_WEBMERCATOR]\n    sources: [route]\n',
      );
    await writeFile(configFile, config);
    const saved = process.env.MAPSERVER_CONFIG_FILE;
    process.env.MAPSERVER_CONFIG_FILE = join(dir, 'mapserver.conf');
    t.after(() => {
      if (saved === undefined) delete process.env.MAPSERVER_CONFIG_FILE;
      else process.env.MAPSERVER_CONFIG_FILE = saved;
    });
    const server = await startServer({
      configFile,
      bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
    });
    t.after(() => server.close());
    const res = await fetch(`${server.url}/tms/1.0.0/route_cached/EPSG3857/0/0/0.png`);
    assert.equal(res.status, 200);
    const { data, info } = await sharp(Buffer.from(await res.arrayBuffer()))
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    // the top left corner is far from the route: transparent, not the opaque white it was
    assert.equal(info.channels, 4);
    assert.equal(data[3], 0);
  },
);
