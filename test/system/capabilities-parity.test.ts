/**
 * Capabilities of MapProxy's own fixture configurations (test/fixtures/parity/capabilities, from
 * the differential corpus) against MapProxy 1.15's documents for them, captured once into
 * mapproxy/<config>-<document>.xml: the same facts the differential runner compares (every text
 * and attribute by path, numbers to 7 digits, counted), so each fix stays pinned without MapProxy.
 * Our WMS documents must also validate against the OGC DTDs/XSD.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startServer } from '../../src/core/index.js';
import { assertValidWmsXml } from '../fixtures/wms/kit.js';
import { copyFixture, FIXTURES_DIR } from '../helpers/fixtures.js';
import { xmlFactDifferences as differences } from '../helpers/xml-fact-differences.js';

const CAPTURED = join(FIXTURES_DIR, 'parity/capabilities/mapproxy');

const DOCUMENTS: Readonly<Record<string, string>> = {
  'wms-1.0.0': '/service?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.0.0',
  'wms-1.1.0': '/service?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.0',
  'wms-1.1.1': '/service?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1',
  'wms-1.3.0': '/service?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0',
  'wmts-rest': '/wmts/1.0.0/WMTSCapabilities.xml',
  'wmts-kvp': '/service?SERVICE=WMTS&REQUEST=GetCapabilities',
  tms: '/tms/1.0.0/',
};

async function start(t: TestContext, config: string): Promise<string> {
  const dir = await copyFixture(t, 'parity/capabilities');
  const server = await startServer({
    configFile: join(dir, `${config}.yaml`),
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  return server.url;
}

/** Facts matching `ignore` may differ (another issue's, named in the test). */
async function assertSameFacts(
  t: TestContext,
  config: string,
  documents: readonly string[],
  ignore?: RegExp,
): Promise<void> {
  const url = await start(t, config);
  for (const name of documents) {
    const path = DOCUMENTS[name] ?? '';
    const res = await fetch(url + path);
    assert.equal(res.status, 200, `${config} ${name}`);
    const body = await res.text();
    if (name.startsWith('wms-')) await assertValidWmsXml(t, body, `${config} ${name}`);
    const ours = body.replaceAll(url, 'SERVER');
    const theirs = (await readFile(join(CAPTURED, `${config}-${name}.xml`), 'utf8')).replaceAll(
      '${SERVER}',
      'SERVER',
    );
    const left = differences(theirs, ours).filter((fact) => ignore === undefined || !ignore.test(fact));
    assert.deepEqual(left, [], `${config} ${name}`);
  }
}

const WMS = ['wms-1.0.0', 'wms-1.1.0', 'wms-1.1.1', 'wms-1.3.0'];

test('WMS capabilities of layer.yaml: bbox_srs boxes cut by the layer extent, native SRS, merged scale hints, metadata per version, named formats by mime type, MaxWidth', async (t) => {
  await assertSameFacts(t, 'layer', WMS);
});

test('WMS capabilities of coverage.yaml: layer extents are their sources coverages, the root the union, default bbox_srs', async (t) => {
  await assertSameFacts(t, 'coverage', WMS);
});

test('WMS capabilities of wmts.yaml: a map: false source adds no extent', async (t) => {
  await assertSameFacts(t, 'wmts', WMS);
});

test('WMTS and TMS capabilities of layer.yaml: a layer with one cache and a map: false source is a tile layer', async (t) => {
  // the png8a/png24 caches are named image/png by MapProxy: cache format naming, not capabilities
  await assertSameFacts(
    t,
    'layer',
    ['wmts-rest', 'wmts-kvp', 'tms'],
    /Format=image\/png|@format=image\/png|\.png(8a|24)?$/,
  );
});

test('WMTS and TMS capabilities of coverage.yaml (plus wmts): a layer WGS84BoundingBox is its cache sources coverage', async (t) => {
  await assertSameFacts(t, 'coverage', ['wmts-rest', 'wmts-kvp', 'tms']);
});

test('multi_cache_layers.yaml: tile_sources publish every cache, a tile_sources-only layer is no WMS layer, TileMatrixSets carry the grid name', async (t) => {
  await assertSameFacts(t, 'multi_cache_layers', [...WMS, 'wmts-rest', 'wmts-kvp', 'tms']);
});

test('cache_source.yaml: a cache fed by caches has their extents (each cut to its grid) merged, not its grid bbox', async (t) => {
  await assertSameFacts(t, 'cache_source', [...WMS, 'tms']);
});
