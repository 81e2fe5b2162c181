/**
 * Our capabilities, TileMaps and KML documents against MapProxy 1.15.1's output for the same
 * configuration (testdata/mapproxy-1.15: captured by running MapProxy on reference.yaml, see its
 * README). Compared structurally: every element, attribute and text in document order; numbers
 * numerically (relative 1e-9, for proj4js vs PROJ and Python int vs float spellings).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { assertValidXml } from '../../../test/schemas/validate-xml.js';
import { parseXml, select, type XmlElement } from '../../../test/schemas/xml-tree.js';
import {
  KmlService,
  TmsService,
  WmtsKvpService,
  WmtsRestService,
  type Service,
  type ServiceMetadata,
} from './index.js';
import { FakeTileLayer } from './testing/fake-tile-layer.js';
import { grid, serviceRequest } from './testing/fixtures.js';

const REFERENCE_URL = new URL('./testdata/mapproxy-1.15/', import.meta.url);
const SCRIPT_URL = 'http://127.0.0.1:18571';

/** `reference.yaml`'s layers: one tile layer per cache grid, in configuration order. */
const LAYERS = [
  ['osm', 'OSM Layer', 'GLOBAL_WEBMERCATOR', 'image/png'],
  ['osm', 'OSM Layer', 'GLOBAL_MERCATOR', 'image/png'],
  ['osm', 'OSM Layer', 'GLOBAL_GEODETIC', 'image/png'],
  ['utm', 'UTM Layer', 'utm32', 'image/jpeg'],
  ['gk', 'GK3 Layer', 'gk3', 'image/png'],
  ['gk', 'GK3 Layer', 'sqrt2merc', 'image/png'],
].map(
  ([name = '', title = '', gridName = '', format = '']) =>
    new FakeTileLayer({ name, title, gridName, grid: grid(gridName), format }),
);

/** `services.wmts.md` of reference.yaml. */
const WMTS_MD: ServiceMetadata = {
  title: 'Reference WMTS',
  abstract: 'Tiles for the comparison.',
  keywordList: [{ vocabulary: 'GEMET', keywords: ['roads', 'rivers'] }, { keywords: ['maps'] }],
  onlineResource: 'http://example.org/',
  contact: {
    person: 'Jane Doe',
    position: 'Operator',
    organization: 'Example Org',
    city: 'Bonn',
    postcode: 53111,
    country: 'Germany',
    phone: '+49 228 0',
    fax: '+49 228 1',
    email: 'jane@example.org',
  },
  fees: 'none',
  accessConstraints: 'Some constraints.',
};

type Entry = readonly [path: string, value: string];

/** Every element, attribute (sorted) and non-empty text as `path`/`value` pairs, in document order. */
function flatten(element: XmlElement, prefix = '', skip: readonly string[] = []): Entry[] {
  const path = `${prefix}/${element.name}`;
  if (skip.includes(element.name)) return [];
  const entries: Entry[] = [[path, element.text.trim()]];
  for (const name of Object.keys(element.attributes).sort()) {
    if (!name.startsWith('xmlns') && name !== 'xsi:schemaLocation')
      entries.push([`${path}/@${name}`, element.attributes[name] ?? '']);
  }
  return entries.concat(element.children.flatMap((child) => flatten(child, path, skip)));
}

function sameValue(actual: string, expected: string): boolean {
  if (actual === expected) return true;
  const a = actual.split(' ');
  const b = expected.split(' ');
  return (
    a.length === b.length &&
    a.every((token, i) => {
      const x = Number(token);
      const y = Number(b[i]);
      if (token === '' || !Number.isFinite(x) || !Number.isFinite(y)) return token === b[i];
      return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
    })
  );
}

async function compare(
  service: Service,
  path: string,
  query: Record<string, string>,
  file: string,
  skip: string[] = [],
) {
  const res = await service.handle(serviceRequest(path, query, SCRIPT_URL));
  assert.equal(res.status, 200, file);
  const ours = parseXml(String(res.body));
  const theirs = parseXml(await readFile(new URL(file, REFERENCE_URL), 'utf8'));
  const actual = flatten(ours, '', skip);
  const expected = flatten(theirs, '', skip);
  assert.deepEqual(
    actual.map(([p]) => p),
    expected.map(([p]) => p),
    `${file}: structure`,
  );
  actual.forEach(([p, value], i) => {
    const want = expected[i]?.[1] ?? '';
    assert.ok(sameValue(value, want), `${file} ${p}: ours ${value}, MapProxy ${want}`);
  });
  return { ours, theirs, body: String(res.body) };
}

test('TMS root, capabilities and TileMaps match MapProxy 1.15', async () => {
  const tms = new TmsService({ layers: LAYERS });
  await compare(tms, '/tms', {}, 'tms_root.xml');
  await compare(tms, '/tms/1.0.0/', {}, 'tms_caps.xml');
  // utm's units-per-pixel: MapProxy prints the YAML ints as `1000`, we print floats (`1000.0`)
  for (const [path, file] of [
    ['/tms/1.0.0/osm/EPSG900913', 'tms_tilemap_osm.xml'],
    ['/tms/1.0.0/osm/EPSG4326', 'tms_tilemap_geo.xml'],
    ['/tms/1.0.0/utm/EPSG25832', 'tms_tilemap_utm.xml'],
    ['/tms/1.0.0/gk/EPSG31467', 'tms_tilemap_gk.xml'],
    ['/tms/1.0.0/gk/EPSG900913', 'tms_tilemap_sqrt.xml'],
  ] as const) {
    await compare(tms, path, {}, file);
  }
});

test('WMTS KVP and RESTful capabilities match MapProxy 1.15 (keywords aside) and validate', async (t) => {
  const cases: [Service, string, Record<string, string>, string][] = [
    [
      new WmtsKvpService({ layers: LAYERS, metadata: WMTS_MD }),
      '/service',
      { SERVICE: 'WMTS', REQUEST: 'GetCapabilities' },
      'wmts_kvp_caps.xml',
    ],
    [
      new WmtsRestService({ layers: LAYERS, metadata: WMTS_MD }),
      '/wmts/1.0.0/WMTSCapabilities.xml',
      {},
      'wmts_rest_caps.xml',
    ],
  ];
  for (const [service, path, query, file] of cases) {
    // MapProxy writes `vocabulary` attributes OWS 1.1 does not allow (its document fails the schema);
    // ours carries the vocabulary in <ows:Type>, so keywords are compared as a list only
    const { ours, theirs, body } = await compare(service, path, query, file, ['ows:Keywords']);
    const keywords = (doc: XmlElement) => select(doc, '//ows:Keyword').map((k) => k.text.trim());
    assert.deepEqual(keywords(ours), keywords(theirs));
    assert.deepEqual(keywords(ours), ['roads', 'rivers', 'maps']);
    await assertValidXml(t, body, 'wmts/1.0/wmtsGetCapabilities_response.xsd', file);
  }
});

test('KML documents match MapProxy 1.15', async (t) => {
  const kml = new KmlService({ layers: LAYERS });
  for (const [path, file] of [
    ['/kml/osm', 'kml_init.kml'],
    ['/kml/osm/EPSG900913', 'kml_init_spec.kml'],
    ['/kml/osm/EPSG900913/1/0/1.kml', 'kml_1.kml'],
    ['/kml/utm/EPSG25832/0/0/0.kml', 'kml_utm.kml'],
  ] as const) {
    const { body } = await compare(kml, path, {}, file);
    await assertValidXml(t, body, 'kml/2.2.0/ogckml22.xsd', file);
  }
});
