/**
 * Source and cache image options that change the drawn map (issue 15), each compared with
 * MapProxy 1.15's answer on the same configuration and upstream (test/fixtures/image-options):
 * `transparent_color` (+ tolerance), `opacity` of sources and caches, `globals.srs.preferred_src_proj`.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { imageOptionsAnswer } from '../fixtures/image-options/upstream.js';
import { REQUESTS } from '../fixtures/image-options/requests.js';
import { imageDiff } from '../fixtures/wms/kit.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { pixelAt, startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const CAPTURED = join(FIXTURES_DIR, 'image-options', 'mapproxy');

interface Expected {
  readonly status: number;
  readonly file: string;
  /** Upstream requests: path and lower-cased, sorted query. */
  readonly upstream: readonly string[];
}

async function expected(name: string): Promise<Expected> {
  const all = JSON.parse(await readFile(join(CAPTURED, 'expected.json'), 'utf8')) as Record<string, Expected>;
  const entry = all[name];
  assert.ok(entry, `no capture named ${name}`);
  return entry;
}

function routes(): Record<string, (request: UpstreamRequest) => Promise<Buffer>> {
  const answer = async (request: UpstreamRequest): Promise<Buffer> => {
    const png = await imageOptionsAnswer(request.pathname, request.query);
    assert.ok(png, `unexpected upstream path ${request.pathname}`);
    return png;
  };
  return Object.fromEntries(['/blue', '/white', '/red', '/green', '/thirds'].map((path) => [path, answer]));
}

/** `path?query` with the query's keys lower-cased and sorted, numbers rounded for comparison. */
function normalized(request: UpstreamRequest): string {
  const query = [...request.query].map(([k, v]) => `${k.toLowerCase()}=${v}`).sort();
  return `${request.pathname}?${query.join('&')}`;
}

/** Numbers in `bbox=` within 1e-6 relative (Python prints 0.0 and more digits). */
function sameRequest(actual: string, expectedPath: string): boolean {
  const split = (s: string) => s.split(/(-?\d+(?:\.\d+)?(?:e-?\d+)?)/);
  const a = split(actual);
  const b = split(expectedPath);
  if (a.length !== b.length) return false;
  return a.every((part, i) => {
    const other = b[i] ?? '';
    if (i % 2 === 0) return part === other;
    const [x, y] = [Number(part), Number(other)];
    return Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x), Math.abs(y));
  });
}

const CASES: readonly { name: string; shows: string }[] = [
  { name: 'keyed-over-blue', shows: 'transparent_color #ffffff: white and near-white show the blue below' },
  { name: 'keyed-transparent', shows: 'transparent_color: the keyed pixels are transparent' },
  {
    name: 'keyed-wide-over-blue',
    shows: 'transparent_color [255,255,255] with tolerance 20 keys out the grey too',
  },
  { name: 'keyed-cached-tile', shows: 'a cache merging blue under the keyed source' },
  { name: 'faded-over-white', shows: 'opacity 0.5: red over white is pink' },
  { name: 'faded-over-blue', shows: 'opacity 0.5: red over blue is purple' },
  { name: 'faded-transparent', shows: 'opacity: a lone layer comes back as drawn' },
  {
    name: 'faded-transparent-source-alone',
    shows: 'opacity 0.5 of a transparent source alone on an opaque map: merged onto white, pink',
  },
  { name: 'faded-cached-tile', shows: 'opacity of a source merged in a cache' },
  { name: 'cache-opacity-over-blue', shows: "a cache's image.opacity over another layer" },
  {
    name: 'rgb-cache-past-grid-over-blue',
    shows:
      'a cache with image.mode RGB: its map past the grid is white (SubImageSource in RGB), hiding the blue',
  },
  {
    name: 'jpeg-source-reprojected-past-mercator',
    shows:
      'a transparent source answering JPEG, reprojected: black (RGB) where it has no source, not transparent',
  },
  { name: 'preferred-src-proj', shows: 'preferred_src_proj: EPSG:31467 is requested upstream in EPSG:25832' },
];

for (const { name, shows } of CASES) {
  test(`${name}: ${shows}, as MapProxy 1.15 draws it`, async (t) => {
    const upstream = await startUpstream(t, routes());
    const proxy = await startProxy(t, 'image-options/image-options.yaml', { UPSTREAM_URL: upstream.url });
    const want = await expected(name);
    const res = await fetch(proxy.url + (REQUESTS[name] ?? ''));
    assert.equal(res.status, want.status);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.headers.get('content-type'), 'image/png', body.toString('utf8', 0, 300));
    const diff = await imageDiff(await readFile(join(CAPTURED, want.file)), body);
    assert.ok(
      diff.mean <= 1 && diff.over32 <= 0.005,
      `${name} differs from MapProxy: ${JSON.stringify(diff)}`,
    );
    const asked = upstream.requests.map(normalized).sort();
    assert.equal(asked.length, want.upstream.length, `upstream requests: ${asked.join('\n')}`);
    asked.forEach((request, i) => {
      assert.ok(sameRequest(request, want.upstream[i] ?? ''), `${request}\n!= ${want.upstream[i] ?? ''}`);
    });
  });
}

test('transparent_color keeps what is outside the tolerance (pixel check without the capture)', async (t) => {
  const upstream = await startUpstream(t, routes());
  const proxy = await startProxy(t, 'image-options/image-options.yaml', { UPSTREAM_URL: upstream.url });
  const body = Buffer.from(
    await (await fetch(proxy.url + (REQUESTS['keyed-transparent'] ?? ''))).arrayBuffer(),
  );
  assert.deepEqual(await pixelAt(body, 10, 10), [255, 255, 255, 0]); // white
  assert.deepEqual((await pixelAt(body, 150, 10))[3], 0); // 251,252,253: within 5
  assert.deepEqual(await pixelAt(body, 290, 10), [240, 240, 240, 255]); // 15 away: kept
  assert.deepEqual(await pixelAt(body, 10, 140), [200, 0, 0, 255]);
});
