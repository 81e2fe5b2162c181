/**
 * GetFeatureInfo of WMS sources with a `coverage`: MapProxy's WMSInfoSource asks the source only
 * for a clicked point inside its coverage (`coverage.contains(query.coord, query.srs)`) and
 * otherwise answers an empty document. Pinned to MapProxy 1.15's answers, captured by
 * test/fixtures/info-coverage/capture.py (the generated differential, seed 20, found the case in
 * wmts.yaml: MapProxy asked nothing for a point east of the coverage, we asked the source).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

interface Capture {
  readonly path: string;
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly upstream: readonly string[];
}

test('feature info asks a source with a coverage only for a point inside it, as MapProxy', async (t) => {
  const captures = JSON.parse(
    await readFile(join(FIXTURES_DIR, 'info-coverage', 'captures.json'), 'utf8'),
  ) as Record<string, Capture>;
  const upstream = await startUpstream(t, {
    '/bbox': { body: 'info', headers: { 'content-type': 'text/plain' } },
    '/geom': { body: 'info', headers: { 'content-type': 'text/plain' } },
  });
  const proxy = await startProxy(t, 'info-coverage/info_coverage.yaml', { UPSTREAM_URL: upstream.url });
  for (const [name, expected] of Object.entries(captures)) {
    const before = upstream.requests.length;
    const res = await fetch(proxy.url + expected.path);
    assert.equal(res.status, expected.status, name);
    assert.equal(res.headers.get('content-type'), expected.contentType, name);
    assert.equal(await res.text(), expected.body, name);
    assert.deepEqual(
      upstream.requests.slice(before).map((r) => r.pathname),
      expected.upstream,
      name,
    );
  }
});
