/**
 * A source's `http` TLS options (`ssl_ca_certs`, `ssl_no_cert_checks`, its own or `globals.http`)
 * hold for every request MapProxy sends with the source's one HTTP client: GetMap, GetFeatureInfo
 * (WMS and ArcGIS identify) and GetLegendGraphic, against an https upstream whose certificate
 * (self-signed, made by openssl in the test's directory) no system CA vouches for.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { startServer } from '../../src/core/index.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { needs } from '../helpers/system-programs.js';
import { solidPng } from '../helpers/upstream.js';

const run = promisify(execFile);
const skip = needs('openssl');

/** An https WMS and ArcGIS upstream on 127.0.0.1 with a self-signed certificate `server.pem` in `dir`. */
async function startTlsUpstream(t: TestContext, dir: string): Promise<{ url: string; paths: string[] }> {
  await run(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      ...['-keyout', 'server.key', '-out', 'server.pem'],
    ],
    { cwd: dir },
  );
  const [key, cert] = await Promise.all([
    readFile(join(dir, 'server.key')),
    readFile(join(dir, 'server.pem')),
  ]);
  const legend = await solidPng([0, 0, 200], [20, 20]);
  const paths: string[] = [];
  const server = createServer({ key, cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    paths.push(url.pathname);
    const query = url.searchParams;
    const request = (query.get('request') ?? '').toLowerCase();
    if (url.pathname.endsWith('/identify')) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('{"results": ["arcgis over tls"]}');
    } else if (request === 'getfeatureinfo') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('wms over tls');
    } else if (request === 'getlegendgraphic') {
      res.writeHead(200, { 'content-type': 'image/png' }).end(legend);
    } else {
      // a WMS GetMap (width, height) or an ArcGIS export (size=w,h)
      const [width, height] = (query.get('size') ?? `${query.get('width')},${query.get('height')}`).split(
        ',',
      );
      void solidPng([200, 0, 0], [Number(width), Number(height)]).then((map) => {
        res.writeHead(200, { 'content-type': 'image/png' }).end(map);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    const closed = new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    // keep-alive connections of the proxy's client would hold close() for seconds
    server.closeAllConnections();
    await closed;
  });
  return { url: `https://127.0.0.1:${String((server.address() as AddressInfo).port)}`, paths };
}

/** Our server on `yaml` (written into `dir`, beside the certificate). */
async function startProxyIn(t: TestContext, dir: string, yaml: string): Promise<string> {
  const configFile = join(dir, 'mapproxy.yaml');
  await writeFile(configFile, yaml);
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  return server.url;
}

function config(upstream: string, globalHttp: string, sourceHttp: string): string {
  return `
globals:
  http: ${globalHttp}
services:
  wms:
    md: {title: TLS}
    featureinfo_types: [text, json]
layers:
  - {name: wms, title: wms, sources: [s]}
  - {name: arc, title: arc, sources: [a]}
sources:
  s:
    type: wms
    req: {url: '${upstream}/service', layers: base}
    wms_opts: {featureinfo: true, legendgraphic: true}
    http: ${sourceHttp}
  a:
    type: arcgis
    req: {url: '${upstream}/arcgis/rest/services/x/MapServer', layers: 'show:0'}
    opts: {featureinfo: true}
    http: ${sourceHttp}
`;
}

const AREA = 'SRS=EPSG:3857&BBOX=0,0,1000000,1000000&WIDTH=100&HEIGHT=100&STYLES=&FORMAT=image/png';

/** The content type of a GetMap: image/png, or the WMS exception's type when the source failed. */
async function getMap(proxy: string, layer: string): Promise<string> {
  const res = await fetch(
    `${proxy}/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=${layer}&${AREA}`,
  );
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  return res.headers.get('content-type') ?? '';
}

async function featureInfo(proxy: string, layer: string, format: string): Promise<string> {
  const res = await fetch(
    `${proxy}/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetFeatureInfo&LAYERS=${layer}` +
      `&QUERY_LAYERS=${layer}&X=50&Y=50&INFO_FORMAT=${format}&${AREA}`,
  );
  return `${String(res.status)} ${await res.text()}`;
}

async function legendSize(proxy: string): Promise<string> {
  const res = await fetch(
    `${proxy}/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetLegendGraphic&LAYER=wms&FORMAT=image/png`,
  );
  assert.equal(res.status, 200);
  const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
  return `${String(meta.width)}x${String(meta.height)}`;
}

test(
  'a source trusts its own ssl_ca_certs (relative to the configuration) for maps, feature info and legends',
  { skip },
  async (t) => {
    const dir = await makeTempDir(t, 'source-tls-');
    const upstream = await startTlsUpstream(t, dir);
    const proxy = await startProxyIn(t, dir, config(upstream.url, '{}', '{ssl_ca_certs: ./server.pem}'));
    assert.equal(await getMap(proxy, 'wms'), 'image/png');
    assert.equal(await getMap(proxy, 'arc'), 'image/png');
    assert.equal(await featureInfo(proxy, 'wms', 'text/plain'), '200 wms over tls');
    assert.equal(await featureInfo(proxy, 'arc', 'application/json'), '200 {"results": ["arcgis over tls"]}');
    // a legend whose request failed is 1x1 (logged); the upstream's is 20x20
    assert.equal(await legendSize(proxy), '20x20');
    assert.deepEqual(
      new Set(upstream.paths),
      new Set([
        '/service',
        '/arcgis/rest/services/x/MapServer/export',
        '/arcgis/rest/services/x/MapServer/identify',
      ]),
    );
  },
);

test(
  'globals.http.ssl_no_cert_checks holds for feature info and legends too; without it they fail',
  { skip },
  async (t) => {
    const dir = await makeTempDir(t, 'source-tls-');
    const upstream = await startTlsUpstream(t, dir);
    const trusting = await startProxyIn(t, dir, config(upstream.url, '{ssl_no_cert_checks: true}', '{}'));
    assert.equal(await getMap(trusting, 'arc'), 'image/png');
    assert.equal(await featureInfo(trusting, 'wms', 'text/plain'), '200 wms over tls');
    assert.equal(
      await featureInfo(trusting, 'arc', 'application/json'),
      '200 {"results": ["arcgis over tls"]}',
    );
    assert.equal(await legendSize(trusting), '20x20');
    // the same upstream without either option: the certificate is refused, nothing reaches it
    const other = await makeTempDir(t, 'source-tls-');
    const checking = await startProxyIn(t, other, config(upstream.url, '{}', '{}'));
    const before = upstream.paths.length;
    assert.equal(await getMap(checking, 'wms'), 'application/vnd.ogc.se_xml');
    assert.doesNotMatch(await featureInfo(checking, 'wms', 'text/plain'), /^200 wms over tls/);
    assert.equal(await legendSize(checking), '1x1');
    assert.equal(upstream.paths.length, before);
  },
);
