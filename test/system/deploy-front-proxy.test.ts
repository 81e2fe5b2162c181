/**
 * `mapproxy-util serve` behind real nginx and Apache at /mapproxy, configured with README's
 * snippets: every URL in the capabilities, KML and demo page must point through the front server.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyFixture } from '../helpers/fixtures.js';
import { startApache, startNginx, startServe, type FrontServer } from '../helpers/front-proxy.js';
import { needs } from '../helpers/system-programs.js';

/** Absolute URLs in a document (`&amp;` decoded), leaving out XML namespaces and schema locations. */
function localUrls(text: string): string[] {
  const all = text.match(/https?:\/\/[^\s"'<>]+/g) ?? [];
  return all
    .map((url) => url.replaceAll('&amp;', '&'))
    .filter((url) => /^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url));
}

/** Every document that carries URLs: capabilities of each service, KML and the demo page. */
const POINTING_THROUGH = [
  '/mapproxy/tms/1.0.0/',
  '/mapproxy/tms/1.0.0/debug/EPSG3857',
  '/mapproxy/wmts/1.0.0/WMTSCapabilities.xml',
  '/mapproxy/service?SERVICE=WMTS&REQUEST=GetCapabilities',
  '/mapproxy/kml/debug/EPSG3857/1/0/0.kml',
  '/mapproxy/service?SERVICE=WMS&REQUEST=GetCapabilities',
  '/mapproxy/demo/',
];

async function assertEverythingPointsThrough(front: FrontServer, backendUrl: string): Promise<void> {
  const base = `${front.url}/mapproxy/`;
  for (const path of POINTING_THROUGH) {
    const res = await fetch(`${front.url}${path}`);
    assert.equal(res.status, 200, path);
    const text = await res.text();
    const urls = localUrls(text);
    // capabilities and KML carry absolute URLs; the demo page links relatively
    if (path !== '/mapproxy/demo/') assert.ok(urls.length > 0, `${path} has URLs`);
    for (const url of urls) {
      assert.ok(url.startsWith(base), `${path}: ${url} does not start with ${base}`);
      assert.ok(!url.includes(new URL(backendUrl).host), `${path}: ${url} names the backend`);
    }
    // relative and root-relative links in HTML must stay below the prefix and work through the front server
    for (const [, link] of text.matchAll(/(?:href|src)="([^"#]+)"/g)) {
      const target = new URL(link ?? '', `${front.url}${path}`);
      if (target.origin !== front.url) continue;
      assert.ok(target.href.startsWith(base), `${path}: ${link ?? ''} leaves /mapproxy`);
      if (/\.(css|js)$/.test(target.pathname)) assert.equal((await fetch(target)).status, 200, target.href);
    }
  }

  // the URLs do not only look right, they work through the front server
  const tms = await (await fetch(`${front.url}/mapproxy/tms/1.0.0/`)).text();
  const tileMap = localUrls(tms).find((url) => url.endsWith('/debug/EPSG3857'));
  assert.ok(tileMap !== undefined, 'TMS lists debug/EPSG3857');
  assert.equal((await fetch(tileMap)).status, 200);
  const tile = await fetch(`${tileMap}/0/0/0.png`);
  assert.equal(tile.status, 200);
  assert.equal(tile.headers.get('content-type'), 'image/png');

  const wmts = await (await fetch(`${front.url}/mapproxy/wmts/1.0.0/WMTSCapabilities.xml`)).text();
  const template = /<ResourceURL[^>]*template="([^"]+)"/.exec(wmts)?.[1];
  assert.ok(template !== undefined, 'WMTS has a ResourceURL');
  const wmtsTile = template
    .replace('{TileMatrixSet}', 'GLOBAL_WEBMERCATOR')
    .replace('{TileMatrix}', '1')
    .replace('{TileCol}', '0')
    .replace('{TileRow}', '0');
  const res = await fetch(wmtsTile);
  assert.equal(res.status, 200, wmtsTile);
  assert.equal(res.headers.get('content-type'), 'image/png');
}

test(
  'behind nginx with X-Script-Name every capabilities URL points through nginx',
  { skip: needs('nginx') },
  async (t) => {
    const configFile = await copyFixture(t, 'deploy/mapproxy.yaml');
    const serve = await startServe(t, [configFile, '-w', '1']);
    const nginx = await startNginx(t, serve.url);
    await assertEverythingPointsThrough(nginx, serve.url);
  },
);

test(
  'behind Apache mod_proxy with X-Script-Name every capabilities URL points through Apache',
  { skip: needs('apache2') },
  async (t) => {
    const configFile = await copyFixture(t, 'deploy/mapproxy.yaml');
    const serve = await startServe(t, [configFile, '-w', '1']);
    const apache = await startApache(t, serve.url);
    await assertEverythingPointsThrough(apache, serve.url);
  },
);
