/**
 * WMS-C (`TILED=true`) of caches whose tiles are more than a plain stored PNG (wms-wmsc.yaml), over
 * real sockets against MapProxy 1.15's captures (`wmsc-cache-*`): a `mixed` cache's TileSet (its
 * refused tiles are in wmsc.test.ts), a clipped source's cache (the stored tile is clipped already:
 * its bytes are the answer, also when the request creates it) and an uncacheable on_error tile.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAPTURES } from '../fixtures/wms/captures.js';
import { assertValidWmsXml, captured, imageDiff, startWmsProxy } from '../fixtures/wms/kit.js';
import { xmlFactDifferences } from '../helpers/xml-fact-differences.js';

const FIXTURE = 'wms-wmsc.yaml';

test("wmsc-cache-caps-111: a mixed cache's TileSet names the format mixed, as MapProxy's", async (t) => {
  const { proxy } = await startWmsProxy(t, FIXTURE);
  const res = await fetch(proxy.url + (CAPTURES['wmsc-cache-caps-111'] ?? ''));
  const expected = await captured('wmsc-cache-caps-111');
  assert.equal(res.status, expected.status);
  assert.equal(res.headers.get('content-type'), expected.contentType);
  const doc = await res.text();
  await assertValidWmsXml(t, doc, 'wmsc-cache-caps-111');
  assert.match(doc, /<Format>mixed<\/Format>\s*<Layers>mixed<\/Layers>/);
  const server = /http:\/\/127\.0\.0\.1:\d+/g;
  const theirs = expected.body.toString('utf8').replaceAll(server, 'SERVER');
  assert.deepEqual(xmlFactDifferences(theirs, doc.replaceAll(server, 'SERVER')), []);
});

test("wmsc-cache-clipped: a clipped source's tile is the stored, clipped tile's bytes, created or read", async (t) => {
  const { proxy, upstream } = await startWmsProxy(t, FIXTURE);
  const url = proxy.url + (CAPTURES['wmsc-cache-clipped'] ?? '');
  const expected = await captured('wmsc-cache-clipped');
  for (const round of ['created', 'read']) {
    const res = await fetch(url);
    assert.equal(res.status, 200, round);
    assert.equal(res.headers.get('content-type'), expected.contentType, round);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), expected.body, round);
    // MapProxy: the tile's cache headers, as a tile service sends them
    assert.match(res.headers.get('etag') ?? '', /^[0-9a-f]{32}$/, round);
    assert.ok(res.headers.get('last-modified'), round);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=259200, s-maxage=259200', round);
  }
  assert.equal(upstream.requests.length, 1, 'one source request, as MapProxy made (capture)');
});

test('wmsc-cache-failing: an uncacheable on_error tile is sent with no-cache headers only (docs/differences)', async (t) => {
  const { proxy } = await startWmsProxy(t, FIXTURE);
  const res = await fetch(proxy.url + (CAPTURES['wmsc-cache-failing'] ?? ''));
  const expected = await captured('wmsc-cache-failing');
  assert.equal(res.status, expected.status);
  assert.equal(res.headers.get('content-type'), expected.contentType);
  const diff = await imageDiff(expected.body, Buffer.from(await res.arrayBuffer()));
  assert.equal(diff.max, 0, JSON.stringify(diff));
  // MapProxy 1.15 adds a public Cache-control and the ETag md5('NoneNone') of every such tile,
  // which a client's If-None-Match then matches for any other one (a 304): a TMS tile's headers
  assert.equal(res.headers.get('cache-control'), 'no-cache, no-store');
  assert.equal(res.headers.get('pragma'), 'no-cache');
  assert.equal(res.headers.get('expires'), '-1');
  assert.equal(res.headers.get('etag'), null);
  assert.equal(res.headers.get('last-modified'), null);
});
