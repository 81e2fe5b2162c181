/**
 * Coverages read through OGR (Debian's ogr2ogr): a shapefile and a GeoPackage written by the test,
 * `where` filters (also on GeoJSON), `select` statements and `ogr_datasource`, over real sockets,
 * pinned against MapProxy 1.15 (fixtures/mapproxy-1.15/coverage-ogr).
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { startServer } from '../../src/core/index.js';
import { copyFixture, FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { writeOgrDatasources } from '../helpers/ogr-datasources.js';
import { needs } from '../helpers/system-programs.js';
import { solidPng, startUpstream, type Upstream, type UpstreamRequest } from '../helpers/upstream.js';

const CAPTURE = join(FIXTURES_DIR, 'mapproxy-1.15', 'coverage-ogr');
const FIXTURE = 'coverage/ogr.yaml';
const skip = needs('ogr2ogr');

interface Captured {
  readonly name: string;
  readonly status: number;
  /** Pixels with alpha > 0 in MapProxy's answer. */
  readonly opaquePixels: number;
  /** `layers bbox WxH` of each upstream request MapProxy sent for this request. */
  readonly upstream: readonly string[];
}

/** The data sources of ../helpers/ogr-datasources.ts in a fresh directory. */
async function writeDatasources(t: TestContext): Promise<string> {
  const dir = join(await makeTempDir(t, 'ogr-coverage-'), 'data');
  await mkdir(dir);
  await writeOgrDatasources(dir);
  return dir;
}

/** A WMS that answers every GetMap with solid red of the requested size. */
async function redWms(t: TestContext): Promise<Upstream> {
  return startUpstream(t, {
    '/wms': (r: UpstreamRequest) =>
      solidPng([255, 0, 0, 255], [Number(r.query.get('width')), Number(r.query.get('height'))]),
  });
}

function describeRequest(r: UpstreamRequest): string {
  const bbox = (r.query.get('bbox') ?? '').split(',').map((v) => Number(v).toFixed(6));
  return `${r.query.get('layers') ?? ''} ${bbox.join(',')} ${r.query.get('width') ?? ''}x${r.query.get('height') ?? ''}`;
}

function normalise(captured: string): string {
  const [layers, bbox = '', size] = captured.split(' ');
  return `${layers ?? ''} ${bbox
    .split(',')
    .map((v) => Number(v).toFixed(6))
    .join(',')} ${size ?? ''}`;
}

/** Starts and stops a server on `configFile`: rejects when the configuration is refused. */
async function startAndClose(configFile: string): Promise<void> {
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  await server.close();
}

/** The proxy's answer to `path`: status, body and the upstream requests it caused (described). */
async function answer(
  proxyUrl: string,
  upstream: Upstream,
  path: string,
): Promise<{ status: number; body: Buffer; upstream: string[] }> {
  const before = upstream.requests.length;
  const res = await fetch(`${proxyUrl}${path}`);
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, body, upstream: upstream.requests.slice(before).map(describeRequest) };
}

async function opaquePixels(png: Buffer): Promise<number> {
  const alpha = await sharp(png).ensureAlpha().extractChannel(3).raw().toBuffer();
  return alpha.filter((a) => a !== 0).length;
}

test('tiles and maps inside and outside OGR coverages match MapProxy 1.15', { skip }, async (t) => {
  const data = await writeDatasources(t);
  const upstream = await redWms(t);
  const proxy = await startProxy(t, FIXTURE, { UPSTREAM_URL: upstream.url, COVERAGE_DIR: data });
  const paths = new Map(
    (
      JSON.parse(await readFile(join(CAPTURE, 'requests.json'), 'utf8')) as { name: string; path: string }[]
    ).map((r) => [r.name, r.path]),
  );
  const expected = JSON.parse(await readFile(join(CAPTURE, 'expected.json'), 'utf8')) as Captured[];
  assert.equal(expected.length, 26);
  for (const mapproxy of expected) {
    const { name } = mapproxy;
    const ours = await answer(proxy.url, upstream, paths.get(name) ?? name);
    assert.equal(ours.status, mapproxy.status, name);
    // 1. the same upstream requests: none outside the selected polygons, the coverage's bbox inside
    assert.deepEqual(ours.upstream, mapproxy.upstream.map(normalise), name);
    // 2. as many opaque pixels (measured: the same count for every answer; the sub-images are
    // whole pixels here)
    assert.equal(await opaquePixels(ours.body), mapproxy.opaquePixels, `${name}: opaque pixels`);
  }
});

test("a failing where is a config error at the key with ogr2ogr's message", { skip }, async (t) => {
  const data = await writeDatasources(t);
  const configFile = await copyFixture(t, FIXTURE, {
    UPSTREAM_URL: 'http://127.0.0.1:9',
    COVERAGE_DIR: data,
  });
  const text = await readFile(configFile, 'utf8');
  await writeFile(configFile, text.replace(`where: "name = 'a'"`, `where: "nme = 'a'"`));
  await assert.rejects(
    startAndClose(configFile),
    /sources\.shp_where\.coverage\.datasource: can't read OGR datasource .*polys\.shp: ERROR 1: "nme" not recognised as an available field/,
  );
});

test(
  'without ogr2ogr a shapefile coverage is a config error that says to install gdal-bin',
  { skip },
  async (t) => {
    const data = await writeDatasources(t);
    const configFile = await copyFixture(t, FIXTURE, {
      UPSTREAM_URL: 'http://127.0.0.1:9',
      COVERAGE_DIR: data,
    });
    const path = process.env.PATH;
    // tests in a file run one after another: only this start-up sees a PATH without gdal-bin
    process.env.PATH = await makeTempDir(t, 'no-gdal-');
    try {
      await assert.rejects(
        startAndClose(configFile),
        /sources\.shp_where\.coverage\.datasource: reading .*polys\.shp needs ogrinfo \(apt-get install gdal-bin\)/,
      );
    } finally {
      process.env.PATH = path;
    }
  },
);
