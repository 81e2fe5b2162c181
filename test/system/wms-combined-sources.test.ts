/**
 * Issue 12: WMS sources with the same URL combined into one upstream GetMap (`layers=a,b`), as
 * MapProxy 1.15 does on `combined_sources.yaml`; upstream requests and images captured from it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { imageDiff } from '../fixtures/wms/kit.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const DIR = join(FIXTURES_DIR, 'combined-sources');

interface Capture {
  /** The GetMap query sent to MapProxy. */
  readonly query: string;
  /** The upstream requests MapProxy made (path with query), in order. */
  readonly upstream: readonly string[];
}

const CAPTURES = JSON.parse(await readFile(join(DIR, 'captures.json'), 'utf8')) as Record<string, Capture>;

/** Lower-cased query keys; bbox as numbers (MapProxy writes `9.0`, we may write `9`). */
function normalized(pathname: string, query: URLSearchParams): string {
  const entries = [...query].map(([key, value]): [string, string] => {
    const lower = key.toLowerCase();
    return [lower, lower === 'bbox' ? value.split(',').map((v) => Number(v).toFixed(6)).join(',') : value];
  });
  return `${pathname}?${JSON.stringify(entries.sort(([a], [b]) => a.localeCompare(b)))}`;
}

/**
 * The answer of the capture's upstream (a solid colour from the md5 of `layers`, over the top 60 %
 * for service_a and the bottom 60 % for service_b; red for the `transparent_color` layers).
 */
async function upstreamImage(request: UpstreamRequest): Promise<Buffer> {
  const query = new Map([...request.query].map(([k, v]) => [k.toLowerCase(), v]));
  const width = Number(query.get('width'));
  const height = Number(query.get('height'));
  const layers = query.get('layers') ?? '';
  const pixels = Buffer.alloc(width * height * 4);
  const [r = 0, g = 0, b = 0] = layers.includes('iopts') ? [255, 0, 0] : createHash('md5').update(layers).digest();
  const [from, to] = layers.includes('iopts')
    ? [0, height]
    : request.pathname.endsWith('_a')
      ? [0, Math.trunc(height * 0.6)]
      : [Math.trunc(height * 0.4), height];
  for (let y = from; y < to; y++) {
    for (let x = 0; x < width; x++) pixels.set([r, g, b, 255], (y * width + x) * 4);
  }
  return sharp(pixels, { raw: { width, height, channels: 4 } }).png().toBuffer();
}

for (const [name, capture] of Object.entries(CAPTURES)) {
  test(`${name}: the upstream requests and the image are MapProxy 1.15's`, async (t) => {
    const upstream = await startUpstream(t);
    for (const path of capture.upstream) {
      const url = new URL(path, 'http://upstream');
      const expected = normalized(url.pathname, url.searchParams);
      upstream.expect((request) => normalized(request.pathname, request.query) === expected, upstreamImage);
    }
    const proxy = await startProxy(t, 'combined-sources/combined_sources.yaml', { UPSTREAM_URL: upstream.url });
    const res = await fetch(`${proxy.url}/service?${capture.query}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    const body = Buffer.from(await res.arrayBuffer());
    upstream.verify();
    assert.equal(upstream.requests.length, capture.upstream.length);
    const diff = await imageDiff(await readFile(join(DIR, `${name}.png`)), body);
    assert.ok(diff.mean <= 1 && diff.over32 <= 0.005, `${name} differs from MapProxy: ${JSON.stringify(diff)}`);
  });
}
