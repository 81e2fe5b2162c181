/**
 * INSPIRE View Service metadata (`services.wms.inspire_md`) in WMS capabilities: MapProxy's own
 * fixtures inspire.yaml (linked) and inspire_full.yaml (embedded), against MapProxy 1.15's
 * documents for them captured once into test/fixtures/inspire/mapproxy/ (every text and attribute
 * by path, as the differential runner compares them), and the INSPIRE schema, which MapProxy's
 * documents validate against too.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { startServer } from '../../src/core/index.js';
import { copyFixture, FIXTURES_DIR } from '../helpers/fixtures.js';
import { xmlFactDifferences as differences } from '../helpers/xml-fact-differences.js';
import { startProxy } from '../helpers/proxy.js';
import { solidPng, startUpstream } from '../helpers/upstream.js';
import { assertValidXml } from '../schemas/validate-xml.js';
import { parseXml, type XmlElement } from '../schemas/xml-tree.js';

const CAPTURED = join(FIXTURES_DIR, 'inspire/mapproxy');
const CAPS = '/service?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=';
const INSPIRE_VS = 'http://inspire.ec.europa.eu/schemas/inspire_vs/1.0';

async function capabilities(url: string, version: string): Promise<string> {
  const res = await fetch(`${url}${CAPS}${version}`);
  assert.equal(res.status, 200);
  return res.text();
}

function child(element: XmlElement, name: string): XmlElement {
  const found = element.children.find((c) => c.name === name);
  assert.ok(found, `${element.name} has no ${name}`);
  return found;
}

async function assertLikeMapProxy(t: TestContext, config: string): Promise<void> {
  const proxy = await startProxy(t, `inspire/${config}.yaml`);
  for (const version of ['1.1.1', '1.3.0']) {
    const ours = await capabilities(proxy.url, version);
    const theirs = await readFile(join(CAPTURED, `${config}-wms-${version}.xml`), 'utf8');
    const left = differences(theirs.replaceAll('${SERVER}', 'SERVER'), ours.replaceAll(proxy.url, 'SERVER'));
    assert.deepEqual(left, [], `${config} WMS ${version}`);
    // xmlFacts skips namespace declarations and schemaLocation: MapProxy adds the INSPIRE ones to 1.3.0 only
    assert.equal(ours.includes(`xmlns:inspire_vs="${INSPIRE_VS}"`), version === '1.3.0', version);
    assert.equal(ours.includes(`${INSPIRE_VS} ${INSPIRE_VS}/inspire_vs.xsd`), version === '1.3.0', version);
    if (version === '1.3.0') await assertValidXml(t, ours, 'inspire/inspire_vs/1.0/inspire_vs.xsd', config);
  }
}

test('inspire.yaml (linked): a MetadataUrl and the languages in 1.3.0, nothing in 1.1.1, as MapProxy 1.15', async (t) => {
  await assertLikeMapProxy(t, 'inspire');
});

test('inspire_full.yaml (embedded): locators, dates as written, conformities, contacts, keywords, as MapProxy 1.15', async (t) => {
  await assertLikeMapProxy(t, 'inspire_full');
});

test('INSPIRE values are escaped, an embedded block keeps its optional MetadataUrl last', async (t) => {
  const proxy = await startProxy(t, 'inspire/inspire-escape.yaml');
  const doc = await capabilities(proxy.url, '1.3.0');
  await assertValidXml(t, doc, 'inspire/inspire_vs/1.0/inspire_vs.xsd');
  const capability = child(parseXml(doc), 'Capability');
  const extended = child(capability, 'inspire_vs:ExtendedCapabilities');
  const names = extended.children.map((c) => c.name);
  assert.equal(names.at(-1), 'inspire_common:MetadataUrl');
  const text = (path: string[]): string => path.reduce(child, extended).text;
  assert.equal(
    text(['inspire_common:ResourceLocator', 'inspire_common:URL']),
    'http://example.org/md?a=1&b=<2>',
  );
  assert.equal(
    text(['inspire_common:MetadataPointOfContact', 'inspire_common:OrganisationName']),
    'Smith & <Sons>',
  );
  const spec = ['inspire_common:Conformity', 'inspire_common:Specification'];
  assert.equal(text([...spec, 'inspire_common:Title']), 'Regulation "1089" & more');
  assert.equal(text([...spec, 'inspire_common:URI']), 'http://example.org/c?x=1&y=2');
  assert.equal(text(['inspire_common:TemporalReference', 'inspire_common:DateOfLastRevision']), '2015-05-01');
  assert.equal(text(['inspire_common:MetadataUrl', 'inspire_common:URL']), 'http://example.org/csw?id=1&x=2');
});

test('inspire.yaml: a GetMap partly outside its bbox_srs box keeps alpha around the part in a true-colour PNG, as MapProxy 1.15', async (t) => {
  // MapProxy's SubImageSource places the limited map on an RGBA canvas, and img_to_buf keeps the
  // alpha of a true-colour PNG (inspire.yaml: paletted: false) although TRANSPARENT is not set
  const upstream = await startUpstream(t);
  upstream.expect(
    (r) =>
      r.pathname === '/service' &&
      (r.query.get('bbox') ?? '').split(',').map(Number).join() === '2750000,5400000,2850000,5600000' &&
      r.query.get('width') === '50',
    async () => solidPng([200, 30, 30], [50, 100]),
  );
  const configFile = await copyFixture(t, 'inspire/inspire.yaml');
  await writeFile(
    configFile,
    (await readFile(configFile, 'utf8')).replace('http://localhost:42423', upstream.url),
  );
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  const query =
    'SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&STYLES=&FORMAT=image/png&LAYERS=inspire_example' +
    '&SRS=EPSG:31467&BBOX=2650000,5400000,2850000,5600000&WIDTH=100&HEIGHT=100';
  const res = await fetch(`${server.url}/service?${query}`);
  assert.equal(res.status, 200);
  const ours = await sharp(Buffer.from(await res.arrayBuffer()))
    .ensureAlpha()
    .raw()
    .toBuffer();
  const theirs = await sharp(await readFile(join(CAPTURED, 'limited-31467.png')))
    .ensureAlpha()
    .raw()
    .toBuffer();
  const at = (buf: Buffer, x: number, y: number): number[] => [
    ...buf.subarray((y * 100 + x) * 4, (y * 100 + x) * 4 + 4),
  ];
  for (const [x, y] of [
    [10, 50],
    [49, 10],
    [50, 90],
    [90, 50],
  ] as const)
    assert.deepEqual(at(ours, x, y), at(theirs, x, y), `pixel ${String(x)},${String(y)}`);
  upstream.verify();
});
