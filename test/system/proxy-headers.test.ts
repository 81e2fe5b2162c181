/**
 * Proxy headers (X-Script-Name, X-Forwarded-Host, X-Forwarded-Proto, Host with :80/:443) shape
 * every URL in TMS, WMTS (KVP + REST) and KML documents exactly as MapProxy 1.15 builds them
 * (captured: test/fixtures/mapproxy-1.15/proxy-headers/); CORS on tiles and capabilities.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';

interface CapturedCase {
  /** Path prefix the proxy left in place (X-Script-Name not stripped) or ''. */
  readonly prefix: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Endpoint → the sorted distinct URLs MapProxy put into the document. */
  readonly urls: Readonly<Record<string, readonly string[]>>;
}

const captured = JSON.parse(
  await readFile(join(FIXTURES_DIR, 'mapproxy-1.15', 'proxy-headers', 'urls.json'), 'utf8'),
) as { cases: Record<string, CapturedCase> };

/** GET with headers fetch() would refuse (Host); resolves with status, headers and body text. */
function get(
  url: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('latin1'),
        });
      });
    })
      .on('error', reject)
      .end();
  });
}

/** The distinct URLs of a document (href attributes, KML <href>, WMTS templates), as the capture took them. */
function urlsOf(document: string): string[] {
  const found = [...document.matchAll(/(?:href|template)="([^"]*)"|<href>([^<]*)<\/href>/g)];
  return [...new Set(found.map((m) => (m[1] ?? m[2] ?? '').replaceAll('&amp;', '&')))].sort();
}

for (const [name, { prefix, headers, urls }] of Object.entries(captured.cases)) {
  test(`capabilities URLs as MapProxy builds them: ${name}`, async (t) => {
    const proxy = await startProxy(t, 'system/proxy-headers.yaml');
    for (const [endpoint, expected] of Object.entries(urls)) {
      const res = await get(`${proxy.url}${prefix}${endpoint}`, headers);
      assert.equal(res.status, 200, endpoint);
      assert.deepEqual(urlsOf(res.body), expected, endpoint);
    }
  });
}

const CORS_PATHS = [
  '/tms/1.0.0/',
  '/tms/1.0.0/osm/EPSG3857/0/0/0.png',
  '/service?SERVICE=WMTS&REQUEST=GetCapabilities',
  '/wmts/1.0.0/WMTSCapabilities.xml',
  '/wmts/osm/GLOBAL_WEBMERCATOR/1/0/0.png',
  '/service?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=osm&STYLE=&TILEMATRIXSET=GLOBAL_WEBMERCATOR&TILEMATRIX=01&TILEROW=0&TILECOL=0&FORMAT=image/png',
  '/kml/osm/EPSG3857/0/0/0.kml',
];

test('Access-Control-Allow-Origin: * by default, the configured origin, or none when empty', async (t) => {
  // MapProxy 1.15: `*` on every tile and document unless globals.http.access_control_allow_origin says otherwise
  const cases = [
    ['system/proxy-headers.yaml', {}, '*'],
    [
      'system/proxy-headers-cors.yaml',
      { ALLOW_ORIGIN: 'https://app.example.org' },
      'https://app.example.org',
    ],
    ['system/proxy-headers-cors.yaml', { ALLOW_ORIGIN: '' }, undefined],
  ] as const;
  for (const [fixture, vars, expected] of cases) {
    const proxy = await startProxy(t, fixture, vars);
    for (const path of CORS_PATHS) {
      const res = await get(`${proxy.url}${path}`);
      assert.equal(res.status, 200, `${path} (${String(expected)})`);
      assert.equal(res.headers['access-control-allow-origin'], expected, path);
    }
  }
});
