/**
 * WMTS GetFeatureInfo (KVP and RESTful) against MapProxy 1.15's answers in
 * test/fixtures/dimensions/mapproxy: the upstream query, the merged answer, the capabilities.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startServer } from '../../src/core/index.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { solidPng, startUpstream, type Upstream, type UpstreamRequest } from '../helpers/upstream.js';
import { assertValidXml } from '../schemas/validate-xml.js';

const CAPTURED = new URL('../fixtures/dimensions/mapproxy/', import.meta.url);
const captured = (name: string): Promise<string> => readFile(new URL(name, CAPTURED), 'utf8');
const FIXTURE = 'dimensions/wmts-dimensions.yaml';
const HALF = 20037508.342789244;
const QUARTER = 10018754.171394622;

/** The upstream request line MapProxy caused for the last capture `name`. */
async function mapproxyUpstream(name: string): Promise<URLSearchParams> {
  const lines = (await captured('requests.txt')).split('\n');
  const start = lines.findLastIndex((line) => line.startsWith(`== ${name} `));
  const line = lines[start + 1] ?? '';
  assert.ok(line.startsWith('upstream: '), `no upstream request captured for ${name}`);
  return new URL(line.slice('upstream: '.length), 'http://x').searchParams;
}

/** A solid-red WMS whose feature info is `{"a": 1}` in JSON and `info <path>` as text, as in the captures. */
async function startInfoUpstream(t: TestContext): Promise<Upstream> {
  const png = await solidPng([255, 0, 0, 255]);
  const answer = (request: UpstreamRequest) => {
    if (request.query.get('request') !== 'GetFeatureInfo') return png;
    const type = request.query.get('info_format') ?? '';
    const body = type === 'application/json' ? '{"a": 1}' : `info ${request.pathname}`;
    return { headers: { 'content-type': type }, body };
  };
  return startUpstream(t, { '/service1': answer, '/service2': answer });
}

/**
 * The fixture without its `restful_template`, as MapProxy's REST feature-info answers were
 * captured (with the template, MapProxy matches `/2/1/2/100/50.txt` as a tile URL).
 */
async function startDefaultTemplateProxy(t: TestContext, upstream: Upstream): Promise<string> {
  const dir = await makeTempDir(t);
  const text = (await readFile(join(FIXTURES_DIR, FIXTURE), 'utf8'))
    .replace(/^ {4}restful_template: .*\n/m, '')
    .replaceAll('${UPSTREAM_URL}', upstream.url);
  const configFile = join(dir, 'wmts-dimensions.yaml');
  await writeFile(configFile, text);
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  return server.url;
}

/**
 * Asserts our one upstream request since `before` matches MapProxy's, except the bbox: MapProxy
 * counts TileRow from the bottom of GLOBAL_MERCATOR (lower-left origin), we from the top.
 */
function assertInfoQuery(
  upstream: Upstream,
  before: number,
  expected: URLSearchParams,
  bbox: readonly number[],
): void {
  const sent = upstream.requests.slice(before);
  assert.equal(sent.length, 1);
  const query = sent[0]?.query ?? new URLSearchParams();
  const withoutBBox = (params: URLSearchParams) => [...params].filter(([key]) => key !== 'bbox').sort();
  assert.deepEqual(withoutBBox(query), withoutBBox(expected));
  assert.deepEqual((query.get('bbox') ?? '').split(',').map(Number), bbox);
}

test('WMTS KVP GetFeatureInfo queries the tile (counted from the top) at I/J, without dimensions', async (t) => {
  const upstream = await startInfoUpstream(t);
  const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
  const res = await fetch(
    `${proxy.url}/service?SERVICE=WMTS&REQUEST=GetFeatureInfo&VERSION=1.0.0&LAYER=dimension_layer&STYLE=default&TILEMATRIXSET=GLOBAL_MERCATOR&TILEMATRIX=1&TILEROW=0&TILECOL=1&FORMAT=image/png&INFOFORMAT=application/json&I=10&J=20&TIME=2012-11-14T00:00:00`,
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.equal(await res.text(), await captured('kvp-fi.json'));
  // MapProxy asked for [0, -HALF, HALF, 0], the tile below; row 0 from the top is the one GetTile serves
  assertInfoQuery(upstream, 0, await mapproxyUpstream('kvp-fi.json'), [0, 0, HALF, HALF]);
});

test('WMTS RESTful GetFeatureInfo answers in the suffix mime type; unknown suffixes are refused', async (t) => {
  const upstream = await startInfoUpstream(t);
  const url = await startDefaultTemplateProxy(t, upstream);
  for (const [name, path, contentType] of [
    ['rest-fi.txt', '/wmts/no_dimension_layer/GLOBAL_MERCATOR/2/1/2/100/50.txt', 'text/plain; charset=utf-8'],
    ['rest-fi-dim.json', '/wmts/dimension_layer/GLOBAL_MERCATOR/2/1/2/100/50.json', 'application/json'],
  ] as const) {
    const before = upstream.requests.length;
    const res = await fetch(url + path);
    assert.equal(res.status, 200, name);
    assert.equal(res.headers.get('content-type'), contentType, name);
    assert.equal(await res.text(), await captured(name), name);
    // MapProxy: [-QUARTER, 0, 0, QUARTER] (row 2 from the bottom); row 2 from the top lies below the equator
    assertInfoQuery(upstream, before, await mapproxyUpstream(name), [-QUARTER, -QUARTER, 0, 0]);
  }
  const res = await fetch(`${url}/wmts/no_dimension_layer/GLOBAL_MERCATOR/2/1/2/100/50.xml`);
  assert.equal(res.status, 400);
  const text = /<ows:ExceptionText>(.*?)<\/ows:ExceptionText>/;
  const body = await res.text();
  assert.equal(text.exec(body)?.[1], text.exec(await captured('rest-fi-unknown.xml'))?.[1]);
  assert.equal(upstream.requests.length, 2);
});

test('WMTS capabilities list InfoFormat and FeatureInfo ResourceURLs of queryable layers as MapProxy', async (t) => {
  const upstream = await startInfoUpstream(t);
  const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url });
  const facts = (doc: string) =>
    [
      ...doc.matchAll(/<InfoFormat>.*?<\/InfoFormat>|<ResourceURL [^>]*resourceType="FeatureInfo"[^>]*\/>/g),
    ].map(([match]) => match);
  const rest = await (await fetch(`${proxy.url}/wmts/1.0.0/WMTSCapabilities.xml`)).text();
  const theirs = (await captured('wmts-rest-caps.xml')).replaceAll('${MAPPROXY_URL}', proxy.url);
  assert.equal(facts(rest).length, 8);
  assert.deepEqual(facts(rest), facts(theirs));
  await assertValidXml(t, rest, 'wmts/1.0/wmtsGetCapabilities_response.xsd', 'RESTful capabilities');
  const kvp = await (await fetch(`${proxy.url}/service?SERVICE=WMTS&REQUEST=GetCapabilities`)).text();
  assert.deepEqual(
    facts(kvp),
    facts(theirs).filter((fact) => fact.startsWith('<InfoFormat>')),
  );
  await assertValidXml(t, kvp, 'wmts/1.0/wmtsGetCapabilities_response.xsd', 'KVP capabilities');
});
