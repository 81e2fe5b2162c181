/**
 * Issue 12, wms_versions.yaml of the differential corpus: `image_formats: [image/png, image/jpeg,
 * png8]` with no `globals.image.formats.png8` entry. MapProxy 1.15 resolves `png8` to no format
 * and lists it as an empty `<Format></Format>`, for every requested version; we leave it out
 * (docs/differences.md). The other formats are MapProxy's, in its order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

// the <GetMap> formats of MapProxy's capabilities, captured for each VERSION (1.1.1 documents all)
const MAPPROXY_GETMAP_FORMATS = ['image/png', 'image/jpeg', ''];

test('an image_formats name that is no format is not listed, whatever the version', async (t) => {
  const upstream = await startUpstream(t);
  const proxy = await startProxy(t, 'diff-parity/wms_versions.yaml', { UPSTREAM_URL: upstream.url });
  for (const version of ['1.0.0', '1.1.0', '1.1.1', '1.3.0']) {
    const res = await fetch(`${proxy.url}/service?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=${version}`);
    assert.equal(res.status, 200, version);
    const getMap = /<GetMap>([\s\S]*?)<\/GetMap>/.exec(await res.text())?.[1] ?? '';
    const formats = [...getMap.matchAll(/<Format>([^<]*)<\/Format>/g)].map(([, format]) => format);
    assert.deepEqual(
      formats,
      MAPPROXY_GETMAP_FORMATS.filter((format) => format !== ''),
      version,
    );
  }
  assert.equal(upstream.requests.length, 0);
});
