/**
 * GetFeatureInfo as MapProxy answers it, pinned to MapProxy 1.15's answers captured by
 * test/fixtures/info-coverage/capture.py (the differential's feature-info draws found each case,
 * seed 20): a WMS source with a `coverage` is asked only for a clicked point inside it
 * (WMSInfoSource: `coverage.contains(query.coord, query.srs)`), else the answer is an empty
 * document; a group with sources of its own is queryable through a child but asks its own
 * sources only; a point in an SRS the source does not support goes to the supported SRS
 * MapProxy's `best_srs` picks (the same kind, geographic or projected), with the source's
 * `req.format` as FORMAT, else the request's.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

interface Capture {
  readonly path: string;
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** `path?key=value&…`, keys lower-cased and sorted. */
  readonly upstream: readonly string[];
}

/** The request as capture.py writes it, the bbox's numbers kept apart (compared within 1e-9). */
function normalise(path: string): { text: string; bbox: number[] } {
  const url = new URL(path, 'http://x');
  const pairs = [...url.searchParams]
    .map(([key, value]) => [key.toLowerCase(), value] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  const bbox =
    pairs
      .find(([key]) => key === 'bbox')?.[1]
      .split(',')
      .map(Number) ?? [];
  const text = pairs.filter(([key]) => key !== 'bbox').map(([key, value]) => `${key}=${value}`);
  return { text: `${url.pathname}?${text.join('&')}`, bbox };
}

const ask = (request: UpstreamRequest) => normalise(request.path);

test('feature info asks the sources MapProxy asks, in its SRS, and answers as it does', async (t) => {
  const captures = JSON.parse(
    await readFile(join(FIXTURES_DIR, 'info-coverage', 'captures.json'), 'utf8'),
  ) as Record<string, Capture>;
  const reply = { body: 'info', headers: { 'content-type': 'text/plain' } };
  const upstream = await startUpstream(t, { '/bbox': reply, '/geom': reply, '/srs': reply, '/fmt': reply });
  const proxy = await startProxy(t, 'info-coverage/info_coverage.yaml', { UPSTREAM_URL: upstream.url });
  for (const [name, expected] of Object.entries(captures)) {
    const before = upstream.requests.length;
    const res = await fetch(proxy.url + expected.path);
    assert.equal(res.status, expected.status, name);
    assert.equal(res.headers.get('content-type'), expected.contentType, name);
    assert.equal(await res.text(), expected.body, name);
    const asked = upstream.requests.slice(before).map(ask);
    const wanted = expected.upstream.map(normalise);
    assert.deepEqual(
      asked.map((r) => r.text),
      wanted.map((r) => r.text),
      name,
    );
    for (const [i, { bbox }] of wanted.entries()) {
      for (const [j, value] of bbox.entries()) {
        const ours = asked[i]?.bbox[j] ?? NaN;
        assert.ok(
          Math.abs(ours - value) <= 1e-9 * Math.max(1, Math.abs(value)),
          `${name}: bbox ${ours} ${value}`,
        );
      }
    }
  }
});
