/**
 * A WMS or mapserver source's transparency is MapProxy's `image_opts.transparent`: its
 * `image.transparent` when set, else `req.transparent`. An ArcGIS source's is a top-level
 * `transparent`, else `image.transparent` (SourceConfiguration.image_opts; both outside MapProxy's
 * arcgis spec, which only warns): its `req.transparent` goes to the server but does not make it
 * transparent. A GetMap skips the layers below one that is opaque for the map (MapProxy
 * `is_opaque`, an ArcGISSource's too), so the key decides which upstreams are asked; a cache over
 * transparent sources stores transparent tiles.
 */
import assert from 'node:assert/strict';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { startServer } from '../../src/core/index.js';
import { copyFixture, FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { useMapServerConfig } from '../helpers/mapserver.js';
import { needs } from '../helpers/system-programs.js';
import {
  pixelAt,
  solidPng,
  startUpstream,
  type UpstreamHandler,
  type UpstreamRequest,
} from '../helpers/upstream.js';

/** A 50%-alpha blue PNG of the requested size (WMS width/height or ArcGIS size). */
function answer(request: UpstreamRequest) {
  const [width = 0, height = 0] = (request.query.get('size') ?? '').split(',').map(Number);
  const size: [number, number] =
    width > 0 ? [width, height] : [Number(request.query.get('width')), Number(request.query.get('height'))];
  return solidPng([0, 0, 200, 128], size);
}

/**
 * A server of the configuration `yaml` makes of its upstream's URL and its directory; the
 * upstream answers `paths` with `reply`.
 */
async function start(
  t: TestContext,
  paths: readonly string[],
  yaml: (upstream: string, dir: string) => string,
  reply: UpstreamHandler = answer,
) {
  const upstream = await startUpstream(t, Object.fromEntries(paths.map((path) => [path, reply])));
  const dir = await makeTempDir(t, 'source-transparent-');
  const configFile = join(dir, 'mapproxy.yaml');
  await writeFile(configFile, yaml(upstream.url, dir));
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  return { url: server.url, upstream, dir };
}

const startWms = (t: TestContext) =>
  start(
    t,
    ['/bottom', '/top1', '/top2'],
    (upstream) => `
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
    req: {url: '${upstream}/bottom', layers: b}
  top1:
    type: wms
    req: {url: '${upstream}/top1', layers: t, transparent: true}
    image: {transparent: false}
  top2:
    type: wms
    req: {url: '${upstream}/top2', layers: t}
    image: {transparent: true}
`,
  );

/**
 * MapProxy 1.15 by hand (mapproxy-util serve-develop on this configuration, a Python upstream
 * logging each path and answering like `answer`): LAYERS=bottom,arc_req asked
 * /arcreq/MapServer/export only, bottom,arc_top and bottom,arc_img asked /bottom and the export;
 * the TMS tile 1/0/0 of the cache over arc_img has alpha 128 at (0,0), of that over arc_req 255;
 * bottom,arc_op asked both and its map has alpha 159 (128 and the export's 128 faded to 64).
 */
const startArcgis = (t: TestContext) =>
  start(
    t,
    [
      '/bottom',
      '/arcreq/MapServer/export',
      '/arctop/MapServer/export',
      '/arcimg/MapServer/export',
      '/arcop/MapServer/export',
    ],
    (upstream, dir) => `
services:
  wms:
    md: {title: arcgis transparency}
  tms: {}
layers:
  - {name: bottom, title: bottom, sources: [bottom]}
  - {name: arc_req, title: req.transparent, sources: [arc_req]}
  - {name: arc_top, title: transparent, sources: [arc_top]}
  - {name: arc_img, title: image.transparent, sources: [arc_img]}
  - {name: arc_op, title: image.opacity, sources: [arc_op]}
  - {name: arc_img_cached, title: cache over image.transparent, sources: [arc_img_cache]}
  - {name: arc_req_cached, title: cache over req.transparent, sources: [arc_req_cache]}
caches:
  arc_img_cache: {grids: [GLOBAL_WEBMERCATOR], sources: [arc_img]}
  arc_req_cache: {grids: [GLOBAL_WEBMERCATOR], sources: [arc_req]}
sources:
  bottom:
    type: wms
    req: {url: '${upstream}/bottom', layers: b}
  arc_req:
    type: arcgis
    req: {url: '${upstream}/arcreq/MapServer', transparent: true}
  arc_top:
    type: arcgis
    transparent: true
    req: {url: '${upstream}/arctop/MapServer'}
  arc_img:
    type: arcgis
    image: {transparent: true}
    req: {url: '${upstream}/arcimg/MapServer'}
  arc_op:
    type: arcgis
    image: {opacity: 0.5}
    req: {url: '${upstream}/arcop/MapServer'}
globals:
  cache: {base_dir: '${join(dir, 'cache_data')}'}
`,
  );

async function upstreamsAskedFor(
  t: TestContext,
  server: (t: TestContext) => ReturnType<typeof start>,
  layers: string,
): Promise<string[]> {
  const { url, upstream } = await server(t);
  const res = await fetch(
    `${url}/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=${layers}&STYLES=` +
      '&SRS=EPSG:3857&BBOX=0,0,1000000,1000000&WIDTH=64&HEIGHT=64&FORMAT=image/png&TRANSPARENT=true',
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  return upstream.requests.map((r) => r.pathname).sort();
}

test('image.transparent: false makes a source opaque whatever req.transparent says: the layer below is not requested', async (t) => {
  assert.deepEqual(await upstreamsAskedFor(t, startWms, 'bottom,opaque_top'), ['/top1']);
});

test('image.transparent: true makes a source transparent without req.transparent: the layer below is requested too', async (t) => {
  assert.deepEqual(await upstreamsAskedFor(t, startWms, 'bottom,transparent_top'), ['/bottom', '/top2']);
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
    useMapServerConfig(t, join(dir, 'mapserver.conf'));
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

test('req.transparent does not make an arcgis source transparent: the layer below is not requested', async (t) => {
  assert.deepEqual(await upstreamsAskedFor(t, startArcgis, 'bottom,arc_req'), ['/arcreq/MapServer/export']);
});

test('a top-level transparent or image.transparent makes an arcgis source transparent: the layer below is requested too', async (t) => {
  for (const [layer, path] of [
    ['arc_top', '/arctop/MapServer/export'],
    ['arc_img', '/arcimg/MapServer/export'],
  ] as const) {
    assert.deepEqual(await upstreamsAskedFor(t, startArcgis, `bottom,${layer}`), [path, '/bottom']);
  }
});

test('an arcgis source with image.opacity is not opaque and is faded: the layer below is requested and shows', async (t) => {
  const { url, upstream } = await startArcgis(t);
  const res = await fetch(
    `${url}/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=bottom,arc_op&STYLES=` +
      '&SRS=EPSG:3857&BBOX=0,0,1000000,1000000&WIDTH=64&HEIGHT=64&FORMAT=image/png&TRANSPARENT=true',
  );
  assert.equal(res.status, 200);
  assert.deepEqual(upstream.requests.map((r) => r.pathname).sort(), ['/arcop/MapServer/export', '/bottom']);
  const alpha = (await pixelAt(Buffer.from(await res.arrayBuffer()), 5, 5))[3];
  assert.ok(Math.abs(alpha - 159) <= 2, `alpha ${String(alpha)}, MapProxy 159`);
});

test('a cache over an arcgis source is transparent by its image.transparent, not by req.transparent', async (t) => {
  const { url } = await startArcgis(t);
  const alphaAt00 = async (layer: string) => {
    const res = await fetch(`${url}/tms/1.0.0/${layer}/EPSG3857/1/0/0.png`);
    assert.equal(res.status, 200, layer);
    return (await pixelAt(Buffer.from(await res.arrayBuffer()), 0, 0))[3];
  };
  assert.equal(await alphaAt00('arc_img_cached'), 128);
  assert.equal(await alphaAt00('arc_req_cached'), 255);
});

/**
 * A tile source's answer carries no image options in MapProxy (its client's ImageSource): the
 * cache sets its own on it before anything opens it, so a paletted tile is RGBA where the cache is
 * transparent (ImageSource.as_image), whatever the source's own `transparent` or
 * `image.transparent` say, and a single-coloured one is linked under four values there
 * (is_single_color_image). MapProxy 1.15 by hand (mapproxy-util serve-develop on this
 * configuration, the upstream answering this P PNG): TMS 1/0/0 of each cache linked its tile to
 * single_color_tiles/0ac81eff.png (from_image, plain_transparent) and 0ac81e.png (top_opaque).
 */
test("a single-colour paletted tile of a tile source is named by the cache's transparency, not the source's", async (t) => {
  const palettePng = await sharp({
    create: { width: 256, height: 256, channels: 3, background: { r: 10, g: 200, b: 30 } },
  })
    .png({ palette: true })
    .toBuffer();
  const names = ['from_image', 'top_opaque', 'plain_transparent'];
  const { url, dir } = await start(
    t,
    names.map((name) => `/tiles/${name}/2/0/3.png`),
    (upstream, dir) => `
services:
  tms: {}
layers:
${names.map((name) => `  - {name: ${name}, title: ${name}, sources: [${name}_cache]}`).join('\n')}
caches:
  # the cache's transparency from its source's image.transparent
  from_image_cache: {grids: [GLOBAL_WEBMERCATOR], sources: [from_image], link_single_color_images: true}
  # its own, against its source's top-level transparent: true
  top_opaque_cache:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [top_opaque]
    link_single_color_images: true
    image: {transparent: false}
  # its own, over a source that says nothing
  plain_transparent_cache:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [plain_transparent]
    link_single_color_images: true
    image: {transparent: true}
sources:
  from_image:
    type: tile
    grid: GLOBAL_WEBMERCATOR
    url: '${upstream}/tiles/from_image/%(z)s/%(x)s/%(y)s.png'
    image: {transparent: true}
  top_opaque:
    type: tile
    grid: GLOBAL_WEBMERCATOR
    url: '${upstream}/tiles/top_opaque/%(z)s/%(x)s/%(y)s.png'
    transparent: true
  plain_transparent:
    type: tile
    grid: GLOBAL_WEBMERCATOR
    url: '${upstream}/tiles/plain_transparent/%(z)s/%(x)s/%(y)s.png'
globals:
  cache: {base_dir: '${join(dir, 'cache_data')}'}
`,
    palettePng,
  );
  const linked: Record<string, string[]> = {};
  for (const name of names) {
    const res = await fetch(`${url}/tms/1.0.0/${name}/EPSG3857/1/0/0.png`);
    assert.equal(res.status, 200, name);
    linked[name] = await readdir(join(dir, 'cache_data', `${name}_cache_EPSG3857`, 'single_color_tiles'));
  }
  assert.deepEqual(linked, {
    from_image: ['0ac81eff.png'],
    top_opaque: ['0ac81e.png'],
    plain_transparent: ['0ac81eff.png'],
  });
});
