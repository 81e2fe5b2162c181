/**
 * Differences the differential runner (npm run diff:mapproxy) found, each pinned with MapProxy
 * 1.15's answer captured on test/fixtures/parity/name-clash-defaults.yaml.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProxy } from '../helpers/proxy.js';
import { solidPng, startUpstream } from '../helpers/upstream.js';

async function start(t: Parameters<typeof startUpstream>[0]) {
  const upstream = await startUpstream(t, { '/service': await solidPng([200, 10, 10, 255]) });
  const proxy = await startProxy(t, 'parity/name-clash-defaults.yaml', { UPSTREAM_URL: upstream.url });
  return { upstream, proxy };
}

test('a cache named like its source reads the source, as MapProxy does (was: stack overflow at load)', async (t) => {
  const { upstream, proxy } = await start(t);
  const res = await fetch(`${proxy.url}/wmts/wms_cache/GLOBAL_WEBMERCATOR/1/0/0.png`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  // MapProxy 1.15 sent: /service?layers=clash&format=image%2Fpng&bbox=-20037508.342789244,0.0,0.0,
  // 20037508.342789244&width=256&height=256&srs=EPSG%3A3857&request=GetMap&version=1.1.1&service=WMS&styles=
  assert.equal(upstream.requests.length, 1);
  const query = upstream.requests[0]!.query;
  assert.equal(query.get('layers'), 'clash');
  assert.equal(query.get('srs'), 'EPSG:3857');
  assert.deepEqual(
    query.get('bbox')!.split(',').map(Number),
    [-20037508.342789244, 0, 0, 20037508.342789244],
  );
});

test('WMS capabilities without md: title "MapProxy WMS", service OnlineResource without "?"', async (t) => {
  const { proxy } = await start(t);
  const service = `${proxy.url}/service`;
  const get = async (version: string): Promise<string> =>
    (await fetch(`${service}?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=${version}`)).text();
  // MapProxy 1.15, WMS 1.1.1 and 1.3.0:
  //   <Title>MapProxy WMS</Title>
  //   <OnlineResource xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="http://HOST/service"/>
  // and the request DCPTypes keep "http://HOST/service?"
  for (const version of ['1.1.1', '1.3.0']) {
    const caps = await get(version);
    assert.match(caps, /<Service>\s*<Name>[^<]*<\/Name>\s*<Title>MapProxy WMS<\/Title>/, version);
    const serviceSection = caps.slice(0, caps.indexOf('</Service>'));
    assert.ok(serviceSection.includes(`xlink:href="${service}"/>`), version);
    assert.ok(
      caps.includes(
        `<Get><OnlineResource ${version === '1.3.0' ? '' : 'xmlns:xlink="http://www.w3.org/1999/xlink" '}xlink:href="${service}?"/></Get>`,
      ),
      version,
    );
  }
  // WMS 1.0.0: <OnlineResource>http://HOST/service</OnlineResource>
  assert.ok((await get('1.0.0')).includes(`<OnlineResource>${service}</OnlineResource>`));
});

test('repeated SRS and LAYERS values are joined with "," as MapProxy does', async (t) => {
  const { upstream, proxy } = await start(t);
  const base = `${proxy.url}/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&STYLES=&BBOX=0,0,10,10&WIDTH=10&HEIGHT=10&FORMAT=image/png`;
  const srs = await (await fetch(`${base}&LAYERS=wms_cache&SRS=EPSG:4326&SRS=EPSG:3857`)).text();
  // MapProxy 1.15: <ServiceException code="InvalidSRS">unsupported srs: EPSG:4326,EPSG:3857</ServiceException>
  assert.match(
    srs,
    /<ServiceException code="InvalidSRS">unsupported srs: EPSG:4326,EPSG:3857<\/ServiceException>/,
  );
  const layers = await (await fetch(`${base}&LAYERS=wms_cache&LAYERS=nosuch&SRS=EPSG:4326`)).text();
  // MapProxy 1.15: <ServiceException code="LayerNotDefined">unknown layer: nosuch</ServiceException>
  assert.match(layers, /<ServiceException code="LayerNotDefined">unknown layer: nosuch<\/ServiceException>/);
  assert.equal(upstream.requests.length, 0);
});
