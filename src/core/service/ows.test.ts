/** The OWS dispatcher: routing on SERVICE and its own ExceptionReports. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertValidXml } from '../../../test/schemas/validate-xml.js';
import { parseXml, select, texts } from '../../../test/schemas/xml-tree.js';
import { OwsService, type Service, type ServiceRequest, type ServiceResponse } from './index.js';
import { serviceRequest } from './testing/fixtures.js';

class RecordingService implements Service {
  readonly seen: ServiceRequest[] = [];
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  handle(request: ServiceRequest): Promise<ServiceResponse> {
    this.seen.push(request);
    return Promise.resolve({
      status: 200,
      contentType: 'text/plain',
      body: this.name,
      cache: { kind: 'none' },
    });
  }
}

test('routes on SERVICE, whatever its case, and passes the request unchanged', async () => {
  const wmts = new RecordingService('wmts');
  const wms = new RecordingService('wms');
  const ows = new OwsService({ wmts, wms });
  for (const value of ['WMTS', 'wmts', 'WmTs']) {
    const res = await ows.handle(serviceRequest('/service', { SERVICE: value, REQUEST: 'GetCapabilities' }));
    assert.equal(res.body, 'wmts', value);
  }
  assert.equal((await ows.handle(serviceRequest('/ows', { service: 'WMS' }))).body, 'wms');
  assert.equal(wmts.seen[0]?.query.request, 'GetCapabilities');
  assert.equal(ows.hasWms, true);
});

test('WMTVER or a GetMap without SERVICE go to the WMS', async () => {
  const wms = new RecordingService('wms');
  const ows = new OwsService({ wms });
  assert.equal(
    (await ows.handle(serviceRequest('/service', { WMTVER: '1.0.0', REQUEST: 'map' }))).body,
    'wms',
  );
  assert.equal((await ows.handle(serviceRequest('/service', { REQUEST: 'GetMap' }))).body, 'wms');
  assert.equal(wms.seen.length, 2);
});

test('a missing SERVICE is a 400 MissingParameterValue without no-cache headers', async (t) => {
  const ows = new OwsService({ wmts: new RecordingService('wmts') });
  const res = await ows.handle(serviceRequest('/service', { REQUEST: 'GetCapabilities' }));
  assert.deepEqual(
    [res.status, res.contentType, res.cache],
    [400, 'text/xml; charset=utf-8', { kind: 'none' }],
  );
  await assertValidXml(t, String(res.body), 'ows/1.1.0/owsExceptionReport.xsd');
  const [exception] = select(parseXml(String(res.body)), 'ows:Exception');
  assert.deepEqual(exception?.attributes, { exceptionCode: 'MissingParameterValue', locator: 'service' });
  assert.deepEqual(texts(exception, 'ows:ExceptionText'), ['The service parameter is missing']);
  // a GetMap without a WMS registered is still "missing"
  assert.equal((await ows.handle(serviceRequest('/service', { REQUEST: 'GetMap' }))).status, 400);
});

test('an unknown or unregistered SERVICE is a 400 InvalidParameterValue, escaped', async (t) => {
  const ows = new OwsService({ wmts: new RecordingService('wmts') });
  for (const value of ['wms', 'foo', '<x a="1">&']) {
    const res = await ows.handle(serviceRequest('/service', { SERVICE: value }));
    assert.deepEqual([res.status, res.cache], [400, { kind: 'no-cache' }], value);
    await assertValidXml(t, String(res.body), 'ows/1.1.0/owsExceptionReport.xsd', value);
    const [exception] = select(parseXml(String(res.body)), 'ows:Exception');
    assert.deepEqual(exception?.attributes, { exceptionCode: 'InvalidParameterValue', locator: 'service' });
    assert.deepEqual(texts(exception, 'ows:ExceptionText'), [
      `The value of the service parameter "${value}" is invalid`,
    ]);
  }
  assert.equal(new OwsService({}).hasWms, false);
});
