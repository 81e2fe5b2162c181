/**
 * WMS-C (`TILED=true`, as OpenLayers 2 and TileCache clients send it) over real sockets against
 * MapProxy 1.15's captured answers (test/fixtures/wms/captures.ts, `wmsc-*`): the TileSets of the
 * 1.1.x capabilities, a GetMap of one whole tile (the stored tile with a tile's cache headers and
 * conditional answers) and the refusals of anything else for a cache's layer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAPTURES } from '../fixtures/wms/captures.js';
import { assertValidWmsXml, captured, imageDiff, startWmsProxy } from '../fixtures/wms/kit.js';
import { xmlFactDifferences } from '../helpers/xml-fact-differences.js';

/** A capabilities document with its server's URL as SERVER, MapProxy's unescaped title escaped. */
function normalized(doc: string): string {
  return doc
    .replaceAll(/http:\/\/127\.0\.0\.1:\d+/g, 'SERVER')
    .replaceAll('Test WMS & <friends>', 'Test WMS &amp; &lt;friends&gt;');
}

for (const name of ['wmsc-caps-111', 'wmsc-caps-110']) {
  test(`${name}: the capabilities with TILED=true list a TileSet per tile layer, as MapProxy's`, async (t) => {
    const { proxy } = await startWmsProxy(t);
    const res = await fetch(proxy.url + (CAPTURES[name] ?? ''));
    const expected = await captured(name);
    assert.equal(res.status, expected.status);
    assert.equal(res.headers.get('content-type'), expected.contentType);
    const doc = await res.text();
    await assertValidWmsXml(t, doc, name);
    assert.match(doc, /<VendorSpecificCapabilities>\s*<TileSet>/);
    const theirs = normalized(expected.body.toString('utf8'));
    assert.deepEqual(xmlFactDifferences(theirs, normalized(doc)), [], name);
  });
}

test('TILED=true adds nothing to 1.3.0 capabilities, nor to 1.1.1 without it', async (t) => {
  const { proxy } = await startWmsProxy(t);
  const tiled130 = await (await fetch(proxy.url + (CAPTURES['wmsc-caps-130'] ?? ''))).text();
  const plain130 = await (await fetch(proxy.url + (CAPTURES['caps-130'] ?? ''))).text();
  assert.equal(tiled130, plain130);
  assert.doesNotMatch((await captured('wmsc-caps-130')).body.toString('utf8'), /TileSet/);
  const plain111 = await (await fetch(proxy.url + (CAPTURES['caps-111'] ?? ''))).text();
  assert.doesNotMatch(plain111, /TileSet/);
  assert.match(plain111, /<!ELEMENT VendorSpecificCapabilities EMPTY>/);
});

for (const name of ['wmsc-tile', 'wmsc-tile-130']) {
  test(`${name}: a GetMap of one whole tile is the stored tile with a tile's cache headers`, async (t) => {
    const { proxy } = await startWmsProxy(t);
    const url = proxy.url + (CAPTURES[name] ?? '');
    const expected = await captured(name);
    const first = await fetch(url);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('content-type'), expected.contentType);
    // MapProxy sends the tile source's bytes as its cache stored them
    assert.deepEqual(Buffer.from(await first.arrayBuffer()), expected.body);
    const second = await fetch(url);
    const etag = second.headers.get('etag');
    assert.match(etag ?? '', /^[0-9a-f]{32}$/);
    assert.ok(second.headers.get('last-modified'));
    assert.equal(second.headers.get('cache-control'), 'public, max-age=259200, s-maxage=259200');
    assert.deepEqual(Buffer.from(await second.arrayBuffer()), expected.body);
    const again = await fetch(url, { headers: { 'If-None-Match': etag ?? '' } });
    assert.equal(again.status, 304);
  });
}

for (const [name, fixture] of [
  ['wmsc-misaligned', 'wms.yaml'],
  ['wmsc-unaligned', 'wms.yaml'],
  ['wmsc-two-tiles', 'wms.yaml'],
  ['wmsc-size', 'wms.yaml'],
  ['wmsc-format', 'wms.yaml'],
  ['wmsc-4326', 'wms.yaml'],
  // a mixed cache's tiles are refused in any format ('use mixed')
  ['wmsc-cache-mixed', 'wms-wmsc.yaml'],
  ['wmsc-cache-mixed-jpeg', 'wms-wmsc.yaml'],
] as const) {
  test(`${name}: a tiled GetMap that is not one whole tile of the cache is refused as MapProxy refuses it`, async (t) => {
    const { proxy, upstream } = await startWmsProxy(t, fixture);
    const res = await fetch(proxy.url + (CAPTURES[name] ?? ''));
    const expected = await captured(name);
    assert.equal(res.status, expected.status);
    assert.equal(res.headers.get('content-type'), expected.contentType);
    assert.equal(await res.text(), expected.body.toString('utf8'));
    assert.equal(upstream.requests.length, 0, 'nothing asked upstream');
  });
}

for (const name of ['wmsc-direct', 'wmsc-two-layers', 'wmsc-mixed-layers']) {
  test(`${name}: a tiled GetMap of a direct layer or of several layers is drawn, as MapProxy draws it`, async (t) => {
    const { proxy } = await startWmsProxy(t);
    const res = await fetch(proxy.url + (CAPTURES[name] ?? ''));
    const expected = await captured(name);
    assert.equal(res.status, expected.status);
    assert.equal(res.headers.get('content-type'), expected.contentType);
    const diff = await imageDiff(expected.body, Buffer.from(await res.arrayBuffer()));
    assert.ok(diff.max <= 1, `${name} differs from MapProxy: ${JSON.stringify(diff)}`);
  });
}
