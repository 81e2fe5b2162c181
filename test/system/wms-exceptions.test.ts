/**
 * WMS exceptions over real sockets, pinned against MapProxy 1.15's captured answers: status,
 * content type, exception code and document (XML byte for byte; images by size and pixels).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { CAPTURES } from '../fixtures/wms/captures.js';
import { assertValidWmsXml, captured, exceptionCode, imageDiff, startWmsProxy } from '../fixtures/wms/kit.js';

/** Every captured error case except `err-size-111`, where MapProxy crashes (see below). */
const CASES = Object.keys(CAPTURES).filter(
  (name) =>
    (name.startsWith('err-') || name.includes('unknown') || name.includes('notqueryable')) &&
    name !== 'err-size-111',
);

test('every WMS exception answers with MapProxy 1.15 status, content type, code and body', async (t) => {
  const { proxy } = await startWmsProxy(t);
  for (const name of CASES) {
    const expected = await captured(name);
    const res = await fetch(proxy.url + (CAPTURES[name] ?? ''));
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, expected.status, `${name} status`);
    assert.equal(res.headers.get('content-type'), expected.contentType, `${name} content type`);
    assert.equal(res.headers.get('cache-control'), 'no-cache, no-store', `${name} is not cached`);
    if (expected.contentType.startsWith('image/')) {
      const [ours, theirs] = await Promise.all([sharp(body).metadata(), sharp(expected.body).metadata()]);
      assert.deepEqual([ours.width, ours.height], [theirs.width, theirs.height], `${name} size`);
      // blank and in-image PNGs are exact (the text is Pillow's bitmap font, no anti-aliasing);
      // JPEG differs only by the encoder's rounding
      const diff = await imageDiff(expected.body, body);
      if (expected.contentType === 'image/png') assert.equal(diff.max, 0, `${name} pixels`);
      else assert.ok(diff.mean < 3 && diff.over32 < 0.01, `${name} pixels ${JSON.stringify(diff)}`);
      continue;
    }
    const text = body.toString('utf8');
    assert.equal(exceptionCode(text), exceptionCode(expected.body.toString('utf8')), `${name} code`);
    assert.equal(text, expected.body.toString('utf8'), `${name} body`);
    if (!name.endsWith('-100')) await assertValidWmsXml(t, text, name);
  }
});

test('an unreadable WIDTH is an InvalidParameterValue exception (MapProxy 1.15 crashes with a 500)', async (t) => {
  const { proxy } = await startWmsProxy(t);
  const captured500 = await captured('err-size-111');
  assert.equal(captured500.status, 500, 'MapProxy answers an internal error');
  const res = await fetch(proxy.url + (CAPTURES['err-size-111'] ?? ''));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/vnd.ogc.se_xml');
  assert.equal(exceptionCode(await res.text()), 'InvalidParameterValue');
});

test('request values in exceptions are escaped', async (t) => {
  const { proxy } = await startWmsProxy(t);
  const res = await fetch(`${proxy.url}${CAPTURES['err-escape-111'] ?? ''}`);
  const text = await res.text();
  assert.match(text, /unknown layer: &lt;b&gt;&amp;x</);
  assert.doesNotMatch(text, /<b>/);
});

test('a request without SERVICE goes to the WMS, on /service, /ows and /wms', async (t) => {
  const { proxy } = await startWmsProxy(t);
  for (const path of ['/service', '/ows', '/wms']) {
    const res = await fetch(`${proxy.url}${path}?REQUEST=GetCapabilities&VERSION=1.1.1`);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('content-type'), 'application/vnd.ogc.wms_xml', path);
  }
});

test('an in-image "Could not get any sources" lists each failure on its own line, as MapProxy 1.15 draws it', async (t) => {
  const { proxy, upstream } = await startWmsProxy(t, 'wms-errors.yaml', { ON_SOURCE_ERRORS: 'notify' });
  const expected = await captured('errors-all-failed-inimage');
  const res = await fetch(proxy.url + (CAPTURES['errors-all-failed-inimage'] ?? ''));
  assert.equal(res.status, expected.status);
  assert.equal(res.headers.get('content-type'), expected.contentType);
  assert.equal((await imageDiff(expected.body, Buffer.from(await res.arrayBuffer()))).max, 0);
  assert.equal(upstream.requests.length, expected.upstream?.length);
});

test('a map wider than its format can be written is refused in XML, and so is an exception image that wide', async (t) => {
  const { proxy, upstream } = await startWmsProxy(t);
  // 65501 x 1 is within max_output_pixels, but libjpeg writes at most 65500 pixels a side
  const base =
    '/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&SRS=EPSG:4326&BBOX=-180,-90,180,90&STYLES=' +
    '&FORMAT=image/jpeg&WIDTH=65501&HEIGHT=1&EXCEPTIONS=application/vnd.ogc.se_inimage';
  for (const [layers, message] of [
    ['pattern', /image size too large for image\/jpeg \(at most 65500 pixels a side\)/],
    ['nosuchlayer', /unknown layer: nosuchlayer/],
  ] as const) {
    const res = await fetch(`${proxy.url}${base}&LAYERS=${layers}`);
    assert.equal(res.status, 200, layers);
    assert.equal(res.headers.get('content-type'), 'application/vnd.ogc.se_xml', layers);
    assert.match(await res.text(), message);
  }
  // one pixel less is drawn: the in-image exception of an unknown layer, as wide as asked
  const res = await fetch(`${proxy.url}${base.replace('WIDTH=65501', 'WIDTH=65500')}&LAYERS=nosuchlayer`);
  assert.equal(res.headers.get('content-type'), 'image/jpeg');
  const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
  assert.deepEqual([meta.width, meta.height], [65500, 1]);
  assert.equal(upstream.requests.length, 0);
});
