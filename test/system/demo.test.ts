/**
 * The demo service over a real socket: redirects, static files from node_modules, 404 pages for
 * unknown layers, escaping of hostile query values and config names, and capabilities shown as
 * HTML from our own services only.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { test, type TestContext } from 'node:test';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

const HOSTILE = `x"'><script>window.pwned=1</script></script><!--`;

async function demoProxy(t: TestContext) {
  // the upstream must never be asked: nothing here renders a tile
  const upstream = await startUpstream(t);
  return startProxy(t, 'demo/demo.yaml', { UPSTREAM_URL: upstream.url });
}

/** The JSON of the viewer's `#demo-config` script element. */
function viewerConfig(html: string): unknown {
  const match = /<script type="application\/json" id="demo-config">([^<]*)<\/script>/.exec(html);
  assert.ok(match?.[1] !== undefined, 'the page has a demo-config block without a raw <');
  return JSON.parse(match[1]);
}

test('/demo redirects to /demo/ and the index is sent without caching headers', async (t) => {
  const proxy = await demoProxy(t);
  const redirect = await fetch(`${proxy.url}/demo`, { redirect: 'manual' });
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get('location'), `${proxy.url}/demo/`);
  const index = await fetch(`${proxy.url}/demo/`);
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(index.headers.get('cache-control'), null);
  const html = await index.text();
  assert.match(html, /<td rowspan="2">direct<\/td>/);
  assert.match(
    html,
    /<option value="EPSG:25832">EPSG:25832\*<\/option><option value="EPSG:3857">EPSG:3857\*<\/option>/,
  );
  assert.match(html, /href="\.\.\/demo\/\?tms_capabilities&amp;layer=osm&amp;srs=EPSG25832"/);
});

test('static files are OpenLayers and proj4 from node_modules; nothing else is served', async (t) => {
  const proxy = await demoProxy(t);
  const require = createRequire(import.meta.url);
  for (const [name, module, type] of [
    ['ol.js', 'ol/dist/ol.js', 'application/javascript'],
    ['ol.css', 'ol/ol.css', 'text/css'],
    ['proj4.js', 'proj4/dist/proj4.js', 'application/javascript'],
  ] as const) {
    const res = await fetch(`${proxy.url}/demo/static/${name}`);
    assert.equal(res.status, 200, name);
    assert.equal(res.headers.get('content-type'), type, name);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), await readFile(require.resolve(module)), name);
  }
  for (const path of ['nope.js', '..%2F..%2Fpackage.json', '%2E%2E/%2E%2E/package.json', 'ol.js/']) {
    const res = await fetch(`${proxy.url}/demo/static/${path}`, { redirect: 'manual' });
    assert.ok(res.status === 404 || res.status === 301, `${path}: ${res.status}`);
    assert.doesNotMatch(await res.text(), /"name": "mapproxy-ts"/, path);
  }
});

test('unknown layers and SRS answer a 404 page that escapes the request values', async (t) => {
  const proxy = await demoProxy(t);
  const q = encodeURIComponent(HOSTILE);
  for (const query of [
    `wms_layer=${q}&format=image/png&srs=EPSG:4326`,
    `wms_layer=osm&format=image/png&srs=${q}`,
    `tms_layer=${q}&format=png&srs=EPSG:3857`,
    `tms_layer=osm&format=png&srs=${q}`,
    `wmts_layer=${q}&format=png&srs=EPSG:3857`,
  ]) {
    const res = await fetch(`${proxy.url}/demo/?${query}`);
    assert.equal(res.status, 404, query);
    const html = await res.text();
    assert.ok(!html.includes('<script>window.pwned'), query);
    assert.ok(
      html.includes('x&quot;&#39;&gt;&lt;script&gt;') || html.includes('x&quot;&#x27;&gt;&lt;script&gt;'),
      query,
    );
  }
});

test('hostile query values next to a valid layer never reach the viewer unescaped', async (t) => {
  const proxy = await demoProxy(t);
  const q = encodeURIComponent(HOSTILE);
  const res = await fetch(`${proxy.url}/demo/?wms_layer=osm&srs=EPSG:3857&format=${q}`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.ok(!html.includes('pwned'), 'an unknown format is replaced, not echoed');
  assert.deepEqual(
    (viewerConfig(html) as { wms: { params: { FORMAT: string } } }).wms.params.FORMAT,
    'image/png',
  );
});

test('hostile layer names are escaped in the index and in the viewer JSON', async (t) => {
  const proxy = await startProxy(t, 'demo/demo-hostile.yaml');
  const index = await (await fetch(`${proxy.url}/demo/`)).text();
  assert.ok(!index.includes('<script>window.pwned'));
  assert.ok(index.includes('<td rowspan="1">x&quot;&#39;&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;'));
  const res = await fetch(`${proxy.url}/demo/?wmts_layer=${encodeURIComponent(HOSTILE)}&srs=EPSG:3857`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.ok(!html.includes('<script>window.pwned'));
  const config = viewerConfig(html) as { tiles: { url: string } };
  // the name is URL-encoded into our own WMTS path and nothing else
  assert.ok(config.tiles.url.startsWith(`../wmts/${encodeURIComponent(HOSTILE)}/`), config.tiles.url);
  const wms = await (
    await fetch(`${proxy.url}/demo/?wms_layer=${encodeURIComponent(HOSTILE)}&srs=EPSG:3857`)
  ).text();
  assert.ok(!wms.includes('<script>window.pwned'));
  // the raw name is a WMS parameter in the viewer's JSON: `<` is \u003c there, so it parses back
  assert.equal((viewerConfig(wms) as { wms: { params: { LAYERS: string } } }).wms.params.LAYERS, HOSTILE);
});

test('viewers point at our own services: TMS levels of the profile, WMTS REST template', async (t) => {
  const proxy = await demoProxy(t);
  const tms = viewerConfig(
    await (await fetch(`${proxy.url}/demo/?tms_layer=osm&format=png&srs=EPSG:3857`)).text(),
  );
  assert.deepEqual(
    (tms as { tiles: { url: string; rowsUp: boolean; resolutions: number[] } }).tiles.url,
    '../tms/1.0.0/osm/EPSG3857/{z}/{x}/{y}.png',
  );
  // global-mercator profile: TMS level 0 is grid level 1
  assert.equal((tms as { tiles: { resolutions: number[] } }).tiles.resolutions[0], 78271.51696402048);
  const wmts = viewerConfig(
    await (await fetch(`${proxy.url}/demo/?wmts_layer=osm&format=png&srs=EPSG:25832`)).text(),
  ) as { srs: string; proj4Definition: string | null; tiles: { url: string } };
  assert.equal(wmts.tiles.url, '../wmts/osm/utm32/{z}/{x}/{y}.png');
  assert.equal(wmts.srs, 'EPSG:25832');
  assert.match(wmts.proj4Definition ?? '', /\+proj=utm \+zone=32/);
});

test('capabilities are shown as escaped XML from our own services; TMS paths cannot escape /tms', async (t) => {
  const proxy = await demoProxy(t);
  const wmts = await fetch(`${proxy.url}/demo/?wmts_capabilities`);
  assert.equal(wmts.status, 200);
  const html = await wmts.text();
  assert.match(html, /<h2>WMTS GetCapabilities<\/h2>/);
  assert.match(html, /&lt;Capabilities xmlns=&quot;http:\/\/www.opengis.net\/wmts\/1.0&quot;/);
  assert.ok(html.includes(`<a href="${proxy.url}/wmts/1.0.0/WMTSCapabilities.xml">`));
  // the URLs MapProxy 1.15's DemoServer shows (`%s/service?REQUEST=GetCapabilities&tiled=true`,
  // `...&SERVICE=WMTS`): `tiled` in lower case, as WMS-C clients send it
  const wmsc = await (await fetch(`${proxy.url}/demo/?wmsc_capabilities`)).text();
  assert.ok(wmsc.includes(`<a href="${proxy.url}/service?REQUEST=GetCapabilities&amp;tiled=true">`));
  const kvp = await (await fetch(`${proxy.url}/demo/?wmts_capabilities_kvp`)).text();
  assert.ok(kvp.includes(`<a href="${proxy.url}/service?REQUEST=GetCapabilities&amp;SERVICE=WMTS">`));
  const tms = await (await fetch(`${proxy.url}/demo/?tms_capabilities&layer=osm&srs=EPSG25832`)).text();
  assert.match(tms, /&lt;TileMap version=&quot;1.0.0&quot;/);
  const traversal = await (
    await fetch(`${proxy.url}/demo/?tms_capabilities&layer=..%2F..%2Fdemo%2Fstatic&srs=ol.js`)
  ).text();
  assert.ok(!traversal.includes('var ol='), 'only /tms/1.0.0/<layer>/<srs> is asked');
  assert.match(traversal, /TileMapServerError|not found/i);
});

/** The WMS table of the demo index: each layer's name and the labels of its SRS options. */
function wmsRows(html: string): [string, string[]][] {
  const rows = html.matchAll(
    /<td rowspan="\d+">([^<]+)<\/td>\s*<td class="value epsg-codes">\s*<form[^>]*>\s*<select[^>]*>([\s\S]*?)<\/select>/g,
  );
  return [...rows].map((m) => [
    m[1]!,
    [...m[2]!.matchAll(/<option[^>]*>([^<]*)<\/option>/g)].map((o) => o[1]!),
  ]);
}

test('the demo lists layers and SRS as MapProxy 1.15 does: children before their group, groups with sources only, the WMS SRS when the demo comes after the WMS', async (t) => {
  const upstream = await startUpstream(t);
  // captured from MapProxy 1.15 on this fixture (/demo/, its WMS table)
  const after = await startProxy(t, 'demo/demo-groups.yaml', {
    UPSTREAM_URL: upstream.url,
    FIRST: 'tms',
    LAST: 'demo',
  });
  assert.deepEqual(wmsRows(await (await fetch(`${after.url}/demo/`)).text()), [
    ['plain', ['EPSG:25832*', 'EPSG:3857*', 'EPSG:4326']],
    ['child1', ['EPSG:25832*', 'EPSG:3857*', 'EPSG:4326']],
    ['group_own', ['EPSG:3857*', 'EPSG:25832', 'EPSG:4326']],
    ['child2', ['EPSG:3857*', 'EPSG:25832', 'EPSG:4326']],
  ]);
  const before = await startProxy(t, 'demo/demo-groups.yaml', {
    UPSTREAM_URL: upstream.url,
    FIRST: 'demo',
    LAST: 'tms',
  });
  const rows = wmsRows(await (await fetch(`${before.url}/demo/`)).text());
  assert.deepEqual(
    rows.map(([name]) => name),
    ['plain', 'child1', 'group_own', 'child2'],
  );
  assert.deepEqual(rows[0]![1], [
    'EPSG:25832*',
    'EPSG:3857*',
    'EPSG:4258',
    'EPSG:4326',
    'EPSG:900913',
    'CRS:84',
  ]);
  assert.deepEqual(rows[2]![1], ['EPSG:3857*', 'EPSG:4258', 'EPSG:4326', 'EPSG:900913', 'CRS:84']);
});

test('a WMS viewer keeps a format the demo does not list, as MapProxy 1.15 does (nothing selected, the viewer asks for it)', async (t) => {
  const proxy = await demoProxy(t);
  const html = await (
    await fetch(`${proxy.url}/demo/?srs=EPSG%3A3857&format=image%2Fgif&wms_layer=osm`)
  ).text();
  // MapProxy (generated differential seed 20, gen-20-00): <option value="image/png">png</option>
  // without `selected`, and `format: "image/gif"` in its viewer
  const formats = /<select name="format"[^>]*>([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '';
  assert.match(formats, /<option value="image\/png">png<\/option>/);
  assert.doesNotMatch(formats, /selected/);
  const config = viewerConfig(html) as { wms: { params: { FORMAT: string } } };
  assert.equal(config.wms.params.FORMAT, 'image/gif');
});
