/**
 * WMS GetFeatureInfo and GetLegendGraphic over real sockets: forwarded to the sources with
 * `featureinfo: true` (reprojected into their SRS) and the sources' legends or `legendurl`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { CAPTURES } from '../fixtures/wms/captures.js';
import { captured, exceptionCode, startWmsProxy } from '../fixtures/wms/kit.js';

test('GetFeatureInfo is forwarded in the source SRS with the pixel MapProxy computes', async (t) => {
  const { proxy, upstream } = await startWmsProxy(t);
  const res = await fetch(proxy.url + (CAPTURES['fi-111'] ?? ''));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), (await captured('fi-111')).contentType);
  assert.equal(await res.text(), 'info x=10 y=34');
  const request = upstream.requests.find((r) => r.pathname === '/wms');
  assert.ok(request);
  assert.equal(request.query.get('request'), 'GetFeatureInfo');
  assert.equal(request.query.get('srs'), 'EPSG:3857');
  assert.equal(request.query.get('query_layers'), 'base');
  assert.equal(request.query.get('info_format'), 'text/plain');
  // MapProxy asked for 200x312 (keeps the width, rounds the height)
  assert.equal(request.query.get('width'), '200');
  assert.ok(['312', '313'].includes(request.query.get('height') ?? ''));
});

test('GetFeatureInfo 1.3.0 takes I/J and a lat/lon bbox; a group forwards to its queryable children', async (t) => {
  const { proxy, upstream } = await startWmsProxy(t);
  const res = await fetch(
    `${proxy.url}/service?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=root&QUERY_LAYERS=root&CRS=EPSG:4326&BBOX=45,5,55,15&WIDTH=200&HEIGHT=200&I=100&J=100&INFO_FORMAT=text/plain`,
  );
  assert.equal(res.status, 200);
  assert.match(await res.text(), /^info x=100 y=\d+$/);
  assert.equal(upstream.requests.filter((r) => r.pathname === '/wms').length, 1);
});

test('GetFeatureInfo on a layer without info sources is refused', async (t) => {
  const { proxy } = await startWmsProxy(t);
  const res = await fetch(proxy.url + (CAPTURES['fi-notqueryable-111'] ?? ''));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/vnd.ogc.se_xml');
  assert.match(await res.text(), /layer pattern is not queryable/);
});

test('GetLegendGraphic returns the source legend, the layer legendurl, and LayerNotDefined for others', async (t) => {
  const { proxy, upstream } = await startWmsProxy(t);
  for (const layer of ['direct', 'pattern']) {
    const res = await fetch(
      `${proxy.url}/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetLegendGraphic&LAYER=${layer}&FORMAT=image/png`,
    );
    assert.equal(res.status, 200, layer);
    assert.equal(res.headers.get('content-type'), 'image/png', layer);
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    assert.deepEqual([meta.width, meta.height], [20, 20], layer);
  }
  const legends = upstream.requests.filter((r) => r.query.get('request') === 'GetLegendGraphic');
  assert.deepEqual(
    legends.map((r) => r.query.get('layer')),
    ['base', 'static'],
  );
  const unknown = await fetch(
    `${proxy.url}/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetLegendGraphic&LAYER=nope&FORMAT=image/png`,
  );
  assert.equal(exceptionCode(await unknown.text()), 'LayerNotDefined');
});
