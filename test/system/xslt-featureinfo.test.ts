/**
 * `featureinfo_xslt` on WMS sources (input) and on the WMS service (output), on MapProxy's own
 * fixtures xslt_featureinfo.yaml and xslt_featureinfo_input.yaml with the stylesheets of its
 * test_xslt_featureinfo.py: upstream answers, requests and expected documents are that test's.
 * Transforms run in libxslt's xsltproc, as MapProxy's run in libxslt through lxml.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startServer } from '../../src/core/index.js';
import { copyFixture } from '../helpers/fixtures.js';
import { needs } from '../helpers/system-programs.js';
import { startUpstream, type Upstream, type UpstreamRequest } from '../helpers/upstream.js';

const skip = needs('xsltproc');

const FI_111 =
  '/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetFeatureInfo&X=10&Y=20&WIDTH=200&HEIGHT=200' +
  '&FORMAT=image/png&STYLES=&BBOX=1000,400,2000,1400&SRS=EPSG:900913';
const FI_130 =
  '/service?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&I=10&J=20&WIDTH=200&HEIGHT=200' +
  '&FORMAT=image/png&STYLES=&BBOX=1000,400,2000,1400&CRS=EPSG:900913';

/** The source's GetFeatureInfo as MapProxy sends it: its layer, WMS version, pixel and info format. */
function infoRequest(path: string, layer: string, version: '1.1.1' | '1.3.0', infoFormat: string | null) {
  return (r: UpstreamRequest): boolean =>
    r.pathname === path &&
    r.query.get('request') === 'GetFeatureInfo' &&
    r.query.get('query_layers') === layer &&
    r.query.get('version') === version &&
    (version === '1.3.0'
      ? r.query.get('i') === '10' && r.query.get('j') === '20'
      : r.query.get('x') === '10') &&
    r.query.get('info_format') === infoFormat;
}

async function start(t: TestContext, config: string): Promise<{ url: string; upstream: Upstream }> {
  const upstream = await startUpstream(t);
  const dir = await copyFixture(t, 'xslt-featureinfo');
  const file = join(dir, `${config}.yaml`);
  await writeFile(file, (await readFile(file, 'utf8')).replaceAll('${UPSTREAM_URL}', upstream.url));
  const server = await startServer({
    configFile: file,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  return { url: server.url, upstream };
}

const xml = (body: string, type = 'text/xml') => ({ body, headers: { 'content-type': type } });

/** The three answers of fi_multi_layer: two XML documents and a broken HTML one. */
function expectMulti(upstream: Upstream): void {
  upstream.expect(infoRequest('/service_a', 'a_one', '1.3.0', 'text/xml'), xml('<a><b>Bar1</b></a>'));
  upstream.expect(infoRequest('/service_b', 'b_one', '1.1.1', 'text/xml'), xml('<a><b>Bar2</b></a>'));
  upstream.expect(
    infoRequest('/service_d', 'd_one', '1.1.1', 'text/html'),
    xml('<body><h1>Hello<p>Bar3', 'text/html'),
  );
}

async function get(url: string): Promise<{ type: string | null; body: string }> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  return { type: res.headers.get('content-type'), body: await res.text() };
}

test('xslt_featureinfo.yaml: answers transformed in, combined, transformed out', { skip }, async (t) => {
  const { url, upstream } = await start(t, 'xslt_featureinfo');

  await t.test('capabilities list the types of the output stylesheets', async () => {
    const caps = await get(`${url}/service?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1`);
    const formats = /<GetFeatureInfo>([\s\S]*?)<DCPType>/.exec(caps.body)?.[1];
    assert.equal(formats, '<Format>text/html</Format><Format>application/vnd.ogc.gml</Format>');
  });

  await t.test('one source, 1.1.1 without INFO_FORMAT: xml out as application/vnd.ogc.gml', async () => {
    upstream.expect(
      infoRequest('/service_a', 'a_one', '1.3.0', 'text/xml'),
      xml('<a><b>Bar</b></a>', 'text/xml; charset=UTF-8'),
    );
    const res = await get(`${url}${FI_111}&LAYERS=fi_layer&QUERY_LAYERS=fi_layer`);
    assert.equal(res.type, 'application/vnd.ogc.gml');
    assert.equal(res.body, '<bars><bar>Bar</bar></bars>');
  });

  await t.test('one source, 1.3.0: text/xml', async () => {
    upstream.expect(infoRequest('/service_a', 'a_one', '1.3.0', 'text/xml'), xml('<a><b>Bar</b></a>'));
    const res = await get(`${url}${FI_130}&LAYERS=fi_layer&QUERY_LAYERS=fi_layer`);
    assert.equal(res.type, 'text/xml; charset=utf-8');
    assert.equal(res.body, '<bars><bar>Bar</bar></bars>');
  });

  await t.test('three sources, HTML read leniently (<p> closes <h1>), one XML document out', async () => {
    expectMulti(upstream);
    const res = await get(`${url}${FI_111}&LAYERS=fi_multi_layer&QUERY_LAYERS=fi_multi_layer`);
    assert.equal(res.type, 'application/vnd.ogc.gml');
    assert.equal(res.body, '<bars><bar>Bar1</bar><bar>Bar2</bar><bar>Bar3</bar></bars>');
  });

  await t.test('INFO_FORMAT=text/html: the html stylesheet, serialised as lxml does', async () => {
    expectMulti(upstream);
    const res = await get(
      `${url}${FI_111}&LAYERS=fi_multi_layer&QUERY_LAYERS=fi_multi_layer&INFO_FORMAT=text/html`,
    );
    assert.equal(res.type, 'text/html; charset=utf-8');
    assert.equal(res.body, '<html><body><h1>Bars</h1><p>Bar1</p><p>Bar2</p><p>Bar3</p></body></html>');
  });

  await t.test('answers of different types are joined as text and not transformed out', async () => {
    upstream.expect(infoRequest('/service_c', 'c_one', '1.1.1', null), {
      body: 'Hello',
      headers: { 'content-type': 'text/plain' },
    });
    upstream.expect(infoRequest('/service_a', 'a_one', '1.3.0', 'text/xml'), xml('<a><b>Bar2</b></a>'));
    const layers = 'fi_without_xslt_layer,fi_layer';
    const res = await get(`${url}${FI_111}&LAYERS=${layers}&QUERY_LAYERS=${layers}`);
    assert.equal(res.type, 'text/plain; charset=utf-8');
    assert.equal(res.body, 'Hello\n<baz><foo>Bar2</foo></baz>');
  });

  // MapProxy 1.15 answers each of these with a 500 (NotImplementedError: a text answer has no tree)
  for (const [version, infoFormat] of [
    ['1.1.1', null],
    ['1.3.0', 'text/xml'],
    ['1.3.0', 'text/html'],
  ] as const) {
    await t.test(
      `a text answer is not transformed: ${version} ${infoFormat ?? 'without INFO_FORMAT'}`,
      async () => {
        upstream.expect(infoRequest('/service_c', 'c_one', '1.1.1', infoFormat), {
          body: 'Feature 1: name=Bar\n',
          headers: { 'content-type': 'text/plain' },
        });
        const base = version === '1.1.1' ? FI_111 : FI_130;
        const format = infoFormat === null ? '' : `&INFO_FORMAT=${infoFormat}`;
        const layers = 'fi_without_xslt_layer';
        const res = await get(`${url}${base}&LAYERS=${layers}&QUERY_LAYERS=${layers}${format}`);
        assert.equal(res.type, 'text/plain; charset=utf-8');
        assert.equal(res.body, 'Feature 1: name=Bar\n');
      },
    );
  }
  upstream.verify();
});

test(
  'xslt_featureinfo_input.yaml: only the sources transform; featureinfo_format beats the content type',
  { skip },
  async (t) => {
    const { url, upstream } = await start(t, 'xslt_featureinfo_input');
    await t.test('one source', async () => {
      upstream.expect(
        infoRequest('/service_a', 'a_one', '1.3.0', 'text/xml'),
        xml('<a><b>Bar</b></a>', 'text/mycustom_xml'),
      );
      const res = await get(`${url}${FI_111}&LAYERS=fi_layer&QUERY_LAYERS=fi_layer&INFO_FORMAT=text/xml`);
      // MapProxy answers with the combined documents' type, not the requested text/xml
      assert.equal(res.type, 'application/vnd.ogc.gml');
      assert.equal(res.body, '<baz><foo>Bar</foo></baz>');
    });
    await t.test('three sources combined into the first root', async () => {
      expectMulti(upstream);
      const res = await get(
        `${url}${FI_111}&LAYERS=fi_multi_layer&QUERY_LAYERS=fi_multi_layer&INFO_FORMAT=text/xml`,
      );
      assert.equal(res.type, 'application/vnd.ogc.gml');
      assert.equal(res.body, '<baz><foo>Bar1</foo><foo>Bar2</foo><foo>Bar3</foo></baz>');
    });
    await t.test(
      'a document declaring entities is not transformed (no external entity reaches a file)',
      async () => {
        upstream.expect(
          infoRequest('/service_a', 'a_one', '1.3.0', 'text/xml'),
          xml('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/hostname">]><a><b>&x;</b></a>'),
        );
        const res = await fetch(`${url}${FI_130}&LAYERS=fi_layer&QUERY_LAYERS=fi_layer`);
        assert.equal(res.status, 200);
        assert.match(await res.text(), /entity declarations are not transformed/);
      },
    );
    upstream.verify();
  },
);
