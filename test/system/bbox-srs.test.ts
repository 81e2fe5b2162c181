/**
 * `services.wms.bbox_srs` with explicit boxes (issue 15) as MapProxy 1.15 has it on bbox_srs.yaml
 * (test/fixtures/bbox-srs, captured by its capture.py against the same upstream): the
 * LatLonBoundingBox / EX_GeographicBoundingBox and BoundingBoxes of every layer, and GetMaps in an
 * SRS with an explicit box: only the part inside the box is requested upstream and placed into
 * the map (transparent or bgcolor around it), nothing is requested for a map outside it.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { imageDiff } from '../fixtures/wms/kit.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const DIR = join(FIXTURES_DIR, 'bbox-srs');

interface Step {
  readonly query: string;
  readonly contentType: string;
  /** Upstream paths with query, as MapProxy sent them. */
  readonly upstream: readonly string[];
  readonly body?: string;
  readonly image?: string;
}

const CAPTURES = JSON.parse(await readFile(join(DIR, 'captures.json'), 'utf8')) as Record<string, Step>;

async function upstreamImage(request: UpstreamRequest): Promise<Buffer> {
  const width = Number(request.query.get('width'));
  const height = Number(request.query.get('height'));
  return sharp({ create: { width, height, channels: 4, background: { r: 40, g: 120, b: 200, alpha: 1 } } })
    .png()
    .toBuffer();
}

/** Numbers to 7 significant digits (MapProxy writes `3700000` where we may write `3700000.0`). */
function num(value: string): string {
  return Number(value).toPrecision(7);
}

/** `layer: element SRS minx,miny,maxx,maxy` of every bounding box in a capabilities document. */
function bboxFacts(doc: string): string[] {
  const facts: string[] = [];
  for (const layer of doc.split(/<Layer[ >]/).slice(1)) {
    const own = layer.split(/<Layer[ >]/)[0] ?? '';
    const name = /^[^<]*<Name>([^<]*)<\/Name>/.exec(own)?.[1] ?? '(root)';
    for (const m of own.matchAll(/<(LatLonBoundingBox|BoundingBox)\s([^>]*)>/g)) {
      const attr = (key: string) => new RegExp(`${key}="([^"]*)"`).exec(m[2] ?? '')?.[1] ?? '';
      const srs = attr('SRS') || attr('CRS');
      facts.push(
        `${name}: ${m[1]} ${srs} ${['minx', 'miny', 'maxx', 'maxy'].map((k) => num(attr(k))).join(',')}`,
      );
    }
    const geo = /<EX_GeographicBoundingBox>([\s\S]*?)<\/EX_GeographicBoundingBox>/.exec(own)?.[1];
    if (geo !== undefined) {
      const values = [...geo.matchAll(/>([-\d.e]+)</g)].map((v) => num(v[1] ?? ''));
      facts.push(`${name}: EX_GeographicBoundingBox ${values.join(',')}`);
    }
  }
  return facts;
}

/** An upstream request as path and sorted, lower-cased query with numbers to 7 digits. */
function normalized(path: string): string {
  const url = new URL(path, 'http://upstream');
  const entries = [...url.searchParams].map(([key, value]) => {
    const k = key.toLowerCase();
    return `${k}=${k === 'bbox' ? value.split(',').map(num).join(',') : value}`;
  });
  return `${url.pathname}?${entries.sort().join('&')}`;
}

test('bbox_srs: capabilities boxes and limited GetMaps as MapProxy 1.15 has them', async (t) => {
  const upstream = await startUpstream(t, { '/wms': upstreamImage });
  const proxy = await startProxy(t, 'bbox-srs/bbox_srs.yaml', { UPSTREAM_URL: upstream.url });
  for (const [name, step] of Object.entries(CAPTURES)) {
    const before = upstream.requests.length;
    const res = await fetch(`${proxy.url}/service?${step.query}`);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200, name);
    assert.equal(res.headers.get('content-type'), step.contentType, name);
    const sent = upstream.requests.slice(before).map((r) => normalized(r.path));
    assert.deepEqual(sent, step.upstream.map(normalized), `${name}: upstream requests`);
    if (step.body !== undefined) {
      const facts = bboxFacts(body.toString());
      assert.ok(facts.length > 10, name);
      assert.deepEqual(facts, bboxFacts(step.body), name);
    } else {
      const diff = await imageDiff(await readFile(join(DIR, step.image ?? '')), body);
      assert.ok(diff.max <= 2, `${name} differs from MapProxy: ${JSON.stringify(diff)}`);
    }
  }
});
