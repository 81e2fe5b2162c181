import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arcgisExportUrl, arcgisIdentifyUrl } from './arcgis-request.js';

test('export and identify endpoints follow MapProxy rest_endpoint / rest_identify_endpoint', () => {
  const query = { bbox: [0, 0, 10, 10] as const, size: [256, 256] as const, srs: 'EPSG:4326', format: 'image/jpeg' };
  const base = 'http://h/arcgis/rest/services/X';
  for (const [url, endpoint] of [
    [`${base}/MapServer`, `${base}/MapServer/export`],
    [`${base}/MapServer/`, `${base}/MapServer/export`],
    [`${base}/MapServer/exportImage`, `${base}/MapServer/export`],
    [`${base}/ImageServer`, `${base}/ImageServer/exportImage`],
    [`${base}/ImageServer/export`, `${base}/ImageServer/exportImage`],
  ] as const) {
    assert.equal(
      arcgisExportUrl(url, { url, transparent: true, dpi: 96 }, query),
      `${endpoint}?transparent=True&dpi=96&format=jpeg&bbox=0.0,0.0,10.0,10.0&size=256,256&bboxSR=4326&imageSR=4326&f=image`,
    );
  }
  const identify = arcgisIdentifyUrl(`${base}/ImageServer/exportImage`, { url: '' }, {
    ...query,
    pos: [64, 192],
    infoFormat: 'text/html; charset=utf-8',
    tolerance: 5,
    returnGeometries: false,
  });
  assert.equal(
    identify,
    `${base}/ImageServer/identify?mapExtent=0.0,0.0,10.0,10.0&imageDisplay=256,256,96&geometry=2.500000,2.500000` +
      '&sr=4326&f=html&tolerance=5&returnGeometry=false&geometryType=esriGeometryPoint',
  );
});
