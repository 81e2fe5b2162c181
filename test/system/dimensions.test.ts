/**
 * Layer dimensions against MapProxy 1.15's answers (test/fixtures/dimensions/mapproxy, captured
 * once on the same configurations): capabilities facts, and the values the sources receive.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import sharp from 'sharp';
import { assertValidWmsXml } from '../fixtures/wms/kit.js';
import { startProxy } from '../helpers/proxy.js';
import { solidPng, startUpstream, type Upstream } from '../helpers/upstream.js';

const CAPTURED = new URL('../fixtures/dimensions/mapproxy/', import.meta.url);
const captured = (name: string): Promise<string> => readFile(new URL(name, CAPTURED), 'utf8');

/** `[identifier, default, values]` of each WMTS `<Dimension>`. */
function wmtsDimensions(doc: string): string[][] {
  return [...doc.matchAll(/<Dimension>([\s\S]*?)<\/Dimension>/g)].map(([, body = '']) => [
    /<ows:Identifier>(.*?)<\/ows:Identifier>/.exec(body)?.[1] ?? '',
    /<Default>(.*?)<\/Default>/.exec(body)?.[1] ?? '',
    [...body.matchAll(/<Value>(.*?)<\/Value>/g)].map((m) => m[1]).join(','),
  ]);
}

/** `[name, default, units, values]` of each WMS dimension (1.1.1: units on `Dimension`, the rest on `Extent`). */
function wmsDimensions(doc: string): string[][] {
  const units = new Map<string, string>();
  for (const [, name = '', attrs = ''] of doc.matchAll(/<Dimension name="([^"]*)"([^>]*)>/g)) {
    units.set(name, /units="([^"]*)"/.exec(attrs)?.[1] ?? '');
  }
  return [...doc.matchAll(/<(?:Dimension|Extent) name="([^"]*)"([^>]*[^/])>([^<]*)</g)].map(
    ([, name = '', attrs = '', values = '']) => [
      name,
      /default="([^"]*)"/.exec(attrs)?.[1] ?? '',
      units.get(name) ?? '',
      values,
    ],
  );
}

/** The upstream request lines MapProxy caused for capture `name`, as `key=value` maps. */
async function mapproxyUpstream(name: string): Promise<URLSearchParams[]> {
  const lines = (await captured('requests.txt')).split('\n');
  const start = lines.findIndex((line) => line.startsWith(`== ${name} `));
  const result: URLSearchParams[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('upstream: ')) break;
    result.push(new URL(line.slice('upstream: '.length), 'http://x').searchParams);
  }
  return result;
}

async function startWmts(t: Parameters<typeof startProxy>[0]): Promise<{ url: string; upstream: Upstream }> {
  const png = await solidPng([255, 0, 0, 255]);
  const upstream = await startUpstream(t, { '/service1': png, '/service2': png });
  const proxy = await startProxy(t, 'dimensions/wmts-dimensions.yaml', { UPSTREAM_URL: upstream.url });
  return { url: proxy.url, upstream };
}

test('WMTS RESTful capabilities list the layer dimensions as MapProxy does', async (t) => {
  const { url } = await startWmts(t);
  const res = await fetch(`${url}/wmts/1.0.0/WMTSCapabilities.xml`);
  assert.equal(res.status, 200);
  const ours = wmtsDimensions(await res.text());
  assert.equal(ours.length, 2);
  assert.deepEqual(ours, wmtsDimensions(await captured('wmts-rest-caps.xml')));
});

test('WMTS tiles pass dimension values (or their defaults) to the source; others are refused', async (t) => {
  const { url, upstream } = await startWmts(t);
  const cases = [
    ['rest-tile.png', '/wmts/dimension_layer/GLOBAL_MERCATOR/2012-11-13T00:00:00/1000/1/0/0.png'],
    ['rest-default.png', '/wmts/dimension_layer/GLOBAL_MERCATOR/default/default/1/0/0.png'],
    [
      'kvp-tile.png',
      '/service?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=dimension_layer&STYLE=default&TILEMATRIXSET=GLOBAL_MERCATOR&TILEMATRIX=1&TILEROW=0&TILECOL=1&FORMAT=image/png&TIME=2012-11-14T00:00:00&ELEVATION=3000',
    ],
  ] as const;
  for (const [name, path] of cases) {
    const before = upstream.requests.length;
    const res = await fetch(url + path);
    assert.equal(res.status, 200, name);
    assert.equal(res.headers.get('content-type'), 'image/png', name);
    const sent = upstream.requests.slice(before).map((r) => r.query);
    const expected = await mapproxyUpstream(name);
    assert.equal(sent.length, expected.length, name);
    for (const [i, query] of sent.entries()) {
      for (const key of ['time', 'elevation'])
        assert.equal(query.get(key), expected[i]?.get(key), `${name} ${key}`);
    }
  }
  for (const [name, path] of [
    ['rest-invalid.xml', '/wmts/dimension_layer/GLOBAL_MERCATOR/2012-11-20T00:00:00/default/1/0/0.png'],
    [
      'rest-unknown-dim.xml',
      '/wmts/no_dimension_layer/GLOBAL_MERCATOR/2012-11-13T00:00:00/default/1/0/0.png',
    ],
  ] as const) {
    const res = await fetch(url + path);
    assert.equal(res.status, 400, name);
    const text = /<ows:ExceptionText>(.*?)<\/ows:ExceptionText>/;
    assert.equal(text.exec(await res.text())?.[1], text.exec(await captured(name))?.[1], name);
  }
});

test('WMS capabilities list expanded ISO 8601 ranges and stay schema-valid', async (t) => {
  const png = await solidPng([255, 0, 0, 255]);
  const upstream = await startUpstream(t, { '/service': png, '/direct': png });
  const proxy = await startProxy(t, 'dimensions/wms-dimension.yaml', { UPSTREAM_URL: upstream.url });
  for (const version of ['1.3.0', '1.1.1']) {
    const res = await fetch(`${proxy.url}/service?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=${version}`);
    const doc = await res.text();
    const ours = wmsDimensions(doc);
    assert.equal(ours.length, 3, version);
    const theirs = wmsDimensions(await captured(`wms-caps-${version.replaceAll('.', '')}.xml`));
    // MapProxy writes no units for non-time dimensions; the schemas require the attribute
    assert.deepEqual(
      ours.map(([name, def, , values]) => [name, def, values]),
      theirs.map(([name, def, , values]) => [name, def, values]),
      version,
    );
    assert.deepEqual(
      ours.map(([, , units]) => units),
      ['ISO8601', 'ISO8601', ''],
      version,
    );
    await assertValidWmsXml(t, doc, `capabilities ${version}`);
  }
});

test('WMS GetMap on a cached layer forwards time and dim_* parameters as MapProxy does', async (t) => {
  const png = await solidPng([255, 0, 0, 255]);
  const upstream = await startUpstream(t, { '/service': png, '/direct': png });
  const proxy = await startProxy(t, 'dimensions/wms-dimension.yaml', { UPSTREAM_URL: upstream.url });
  const res = await fetch(
    `${proxy.url}/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=test_cache&STYLES=&SRS=EPSG:3857&BBOX=0,0,20037508.342789244,20037508.342789244&WIDTH=256&HEIGHT=256&FORMAT=image/png&TIME=2020-09-22T13:20:00Z&DIM_REFERENCE_TIME=2020-09-22T11:20:00Z&VENDOR_OPT=x`,
  );
  assert.equal(res.status, 200);
  const [expected] = await mapproxyUpstream('wms-cache.png');
  const sent = upstream.requests.filter((r) => r.pathname === '/service');
  assert.equal(sent.length, 1);
  for (const key of ['time', 'dim_reference_time', 'vendor_opt']) {
    assert.equal(sent[0]?.query.get(key) ?? null, expected?.get(key) ?? null, key);
  }
});

/** Decoded RGBA pixels and size, to compare an image with a captured one. */
async function pixels(data: Buffer): Promise<{ width: number; height: number; rgba: Buffer }> {
  const { data: rgba, info } = await sharp(data).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgba };
}

test('WMS GetMap on a direct layer forwards any forward_req_params parameter, spelled as configured', async (t) => {
  const png = await solidPng([255, 0, 0, 255]);
  const upstream = await startUpstream(t, { '/service': png, '/direct': png });
  const proxy = await startProxy(t, 'dimensions/wms-dimension.yaml', { UPSTREAM_URL: upstream.url });
  const res = await fetch(
    `${proxy.url}/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=direct&STYLES=&SRS=EPSG:3857&BBOX=0,0,20037508.342789244,20037508.342789244&WIDTH=256&HEIGHT=256&FORMAT=image/png&vendor_opt=x&ELEVATION=5&TIME=1`,
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  const [expected] = await mapproxyUpstream('wms-direct.png');
  const sent = upstream.requests.filter((r) => r.pathname === '/direct');
  assert.equal(sent.length, 1);
  // MapProxy sent `Vendor_Opt=x&elevation=5` (and no time: not in the source's list)
  const extra = (query: URLSearchParams | undefined): string[][] =>
    [...(query ?? [])]
      .filter(([key]) => ['vendor_opt', 'elevation', 'time'].includes(key.toLowerCase()))
      .sort();
  assert.deepEqual(extra(sent[0]?.query), extra(expected));
  assert.deepEqual(extra(expected), [
    ['Vendor_Opt', 'x'],
    ['elevation', '5'],
  ]);
  assert.deepEqual(
    await pixels(Buffer.from(await res.arrayBuffer())),
    await pixels(await readFile(new URL('wms-direct.png', CAPTURED))),
  );
});
