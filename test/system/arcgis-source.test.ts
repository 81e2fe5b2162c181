/**
 * `type: arcgis` sources (MapProxy's arcgis.yaml fixture): tiles come from the REST export
 * endpoint, feature info from identify. Every upstream query below is the one MapProxy 1.15 sent
 * for the same request on the same configuration, captured from an upstream like this one.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startProxy } from '../helpers/proxy.js';
import { pixelAt, solidPng, startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const FIXTURE = join('arcgis', 'arcgis.yaml');
const WORLD = '-20037508.342789244,-20037508.342789244,20037508.342789244,20037508.342789244';

/** An export answer of the requested `size`, so the meta tile splits cleanly. */
async function exportImage(request: UpstreamRequest): Promise<Buffer> {
  const [width = 0, height = 0] = (request.query.get('size') ?? '').split(',').map(Number);
  return solidPng([20, 120, 220], [width, height]);
}

test('arcgis tiles come from export/exportImage with MapProxy 1.15 queries', async (t) => {
  const upstream = await startUpstream(t);
  const expected = [
    `/arcgis/rest/services/ExampleLayer/ImageServer/exportImage?format=png&bbox=${WORLD}&size=512,512&bboxSR=900913&imageSR=900913&f=image`,
    `/arcgis/rest/services/ExampleLayer/MapServer/export?layers=show%3A0,1&format=png&bbox=${WORLD}&size=512,512&bboxSR=900913&imageSR=900913&f=image`,
    // supported_srs: [EPSG:3857] asks in 3857 for the GLOBAL_MERCATOR (900913) grid
    `/arcgis/rest/services/ExampleLayer/MapServer/export?layers=show%3A1,2,3&format=png&bbox=${WORLD}&size=512,512&bboxSR=3857&imageSR=3857&f=image`,
  ];
  for (const path of expected) upstream.expect(path, exportImage);
  upstream.expect(
    `/arcgis/rest/services/NonExistentLayer/ImageServer/exportImage?format=png&bbox=${WORLD}&size=512,512&bboxSR=900913&imageSR=900913&f=image`,
    { status: 404, body: 'not found' },
  );
  const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
  for (const layer of ['app2_layer', 'app2_with_layers_layer', 'app2_with_layers_fi_layer']) {
    const res = await fetch(`${proxy.url}/tms/1.0.0/${layer}/EPSG900913/0/0/0.png`);
    assert.equal(res.status, 200, layer);
    assert.deepEqual(await pixelAt(Buffer.from(await res.arrayBuffer()), 10, 10), [20, 120, 220, 255], layer);
  }
  // MapProxy 1.15: 500 and its hidden-details TMS error for the failing upstream
  const failed = await fetch(`${proxy.url}/tms/1.0.0/app2_wrong_url_layer/EPSG900913/0/0/0.png`);
  assert.equal(failed.status, 500);
  assert.match(await failed.text(), /<Message>HTTP Error \(see logs for URL and reason\)\.<\/Message>/);
  upstream.verify();
});

test('arcgis feature info asks identify, reprojected to supported_srs, as MapProxy 1.15 does', async (t) => {
  const upstream = await startUpstream(t);
  const identify = '/arcgis/rest/services/ExampleLayer/MapServer/identify';
  const answer = { headers: { 'content-type': 'text/plain' }, body: '{"results": []}' };
  upstream.expect(
    `${identify}?layers=show%3A1,2,3&mapExtent=1000.0,400.0,2000.0,1400.0&imageDisplay=200,200,96` +
      '&geometry=1050.000000,1300.000000&sr=3857&f=json&tolerance=10&returnGeometry=true&geometryType=esriGeometryPoint',
    answer,
  );
  // EPSG:4326 is not supported: MapProxy moves the query to EPSG:3857, keeping the width
  upstream.expect((request) => {
    if (request.pathname !== identify) return false;
    const q = request.query;
    const extent = (q.get('mapExtent') ?? '').split(',').map(Number);
    const want = [556597.4539663679, 6446275.841017161, 667916.9447596414, 6621293.722740169];
    return (
      extent.every((v, i) => Math.abs(v - (want[i] ?? NaN)) < 1e-3) &&
      q.get('imageDisplay') === '200,314,96' &&
      q.get('geometry') === '562163.428506,6603457.505495' &&
      q.get('sr') === '3857' &&
      q.get('f') === 'json'
    );
  }, answer);
  const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
  const common =
    'SERVICE=WMS&REQUEST=GetFeatureInfo&VERSION=1.1.1&WIDTH=200&HEIGHT=200&X=10&Y=20&STYLES=&FORMAT=image/png' +
    '&LAYERS=app2_with_layers_fi_layer&QUERY_LAYERS=app2_with_layers_fi_layer&INFO_FORMAT=application/json';
  for (const area of ['SRS=EPSG:3857&BBOX=1000,400,2000,1400', 'SRS=EPSG:4326&BBOX=5,50,6,51']) {
    const res = await fetch(`${proxy.url}/service?${common}&${area}`);
    assert.equal(res.status, 200, area);
    // the client's INFO_FORMAT, whatever ArcGIS declared
    assert.equal(res.headers.get('content-type'), 'application/json', area);
    assert.equal(await res.text(), '{"results": []}', area);
  }
  upstream.verify();
});
