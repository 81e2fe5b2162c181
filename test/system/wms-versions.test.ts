/**
 * `services.wms.versions: ['1.1.1', '1.3.0']`: a request for another version is answered in the
 * negotiated one (MapProxy `negotiate_version`: below the lowest -> the lowest, above the highest
 * -> the highest). Every answer below is MapProxy 1.15's on the same configuration.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startProxy } from '../helpers/proxy.js';
import { pixelAt, solidPng, startUpstream, wmsQuery } from '../helpers/upstream.js';

const FIXTURE = join('wms-versions', 'wms-versions.yaml');
const MAP = 'SERVICE=WMS&REQUEST=GetMap&STYLES=&FORMAT=image%2Fpng&WIDTH=100&HEIGHT=100';

test('capabilities for an unlisted version come in the negotiated version', async (t) => {
  const upstream = await startUpstream(t);
  const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
  const cases = [
    ['SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.0.0', '1.1.1'],
    ['WMTVER=1.0.0&REQUEST=capabilities', '1.1.1'],
    ['SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.0', '1.1.1'],
    ['SERVICE=WMS&REQUEST=GetCapabilities', '1.3.0'],
    ['SERVICE=WMS&REQUEST=GetCapabilities&VERSION=2.0.0', '1.3.0'],
  ] as const;
  for (const [query, version] of cases) {
    const res = await fetch(`${proxy.url}/service?${query}`);
    assert.equal(res.status, 200, query);
    const doc = await res.text();
    if (version === '1.1.1') {
      assert.equal(res.headers.get('content-type'), 'application/vnd.ogc.wms_xml', query);
      assert.match(doc, /<WMT_MS_Capabilities version="1\.1\.1">/, query);
    } else {
      assert.equal(res.headers.get('content-type'), 'text/xml; charset=utf-8', query);
      assert.match(doc, /<WMS_Capabilities [^>]*version="1\.3\.0"/, query);
    }
  }
  assert.equal(upstream.requests.length, 0);
});

test('GetMap for an unlisted version is parsed and answered as the negotiated version', async (t) => {
  const upstream = await startUpstream(t);
  upstream.expect(
    // MapProxy 1.15's upstream request, the same for all three
    wmsQuery('/wms', {
      layers: 'stale',
      bbox: '5.0,50.0,6.0,51.0',
      width: '100',
      height: '100',
      srs: 'EPSG:4326',
      format: 'image/png',
      request: 'GetMap',
      version: '1.1.1',
      service: 'WMS',
      styles: '',
    }),
    () => solidPng([20, 120, 220], [100, 100]),
    { times: 3 },
  );
  const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
  // 1.0.0 and 1.1.0 become 1.1.1 (SRS, x/y bbox); 2.0.0 becomes 1.3.0 (CRS, lat/lon bbox)
  for (const query of [
    `${MAP}&VERSION=1.0.0&LAYERS=direct&SRS=EPSG:4326&BBOX=5,50,6,51`,
    `${MAP}&VERSION=1.1.0&LAYERS=direct&SRS=EPSG:4326&BBOX=5,50,6,51`,
    `${MAP}&VERSION=2.0.0&LAYERS=direct&CRS=EPSG:4326&BBOX=50,5,51,6`,
  ]) {
    const res = await fetch(`${proxy.url}/service?${query}`);
    assert.equal(res.status, 200, query);
    assert.equal(res.headers.get('content-type'), 'image/png', query);
    assert.deepEqual(await pixelAt(Buffer.from(await res.arrayBuffer()), 50, 50), [20, 120, 220, 255], query);
  }
  upstream.verify();
});

test('GetMap errors for an unlisted version use the negotiated version exception format', async (t) => {
  const upstream = await startUpstream(t);
  const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
  const v111 = await fetch(
    `${proxy.url}/service?${MAP}&VERSION=1.1.0&LAYERS=nope&SRS=EPSG:4326&BBOX=5,50,6,51`,
  );
  assert.equal(v111.status, 200);
  assert.equal(v111.headers.get('content-type'), 'application/vnd.ogc.se_xml');
  const doc111 = await v111.text();
  assert.match(doc111, /<ServiceExceptionReport version="1\.1\.1">/);
  assert.match(doc111, /<ServiceException code="LayerNotDefined">unknown layer: nope<\/ServiceException>/);
  // 1.1.0 is read as 1.1.1: CRS is not its parameter
  const noSrs = await fetch(
    `${proxy.url}/service?${MAP}&VERSION=1.1.0&LAYERS=direct&CRS=EPSG:4326&BBOX=5,50,6,51`,
  );
  assert.equal(noSrs.status, 200);
  assert.match(
    await noSrs.text(),
    /<ServiceException>missing parameters \[&#x27;srs&#x27;\]<\/ServiceException>/,
  );
  const v130 = await fetch(
    `${proxy.url}/service?${MAP}&VERSION=2.0.0&LAYERS=nope&CRS=EPSG:4326&BBOX=50,5,51,6`,
  );
  assert.equal(v130.status, 200);
  assert.equal(v130.headers.get('content-type'), 'text/xml; charset=utf-8');
  const doc130 = await v130.text();
  assert.match(doc130, /<ServiceExceptionReport version="1\.3\.0"/);
  assert.match(doc130, /<ServiceException code="LayerNotDefined">unknown layer: nope<\/ServiceException>/);
  assert.equal(upstream.requests.length, 0);
});
