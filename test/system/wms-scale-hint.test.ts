/**
 * WMS 1.0.0-1.1.1 ScaleHint names only the bounds of a layer's resolution range, as MapProxy's
 * template does (`{{if min_scale}}min=...{{endif}}`): a layer with only `min_res` has no `min`,
 * one with only `max_res` no `max`. Ours wrote min="0" and max="INF" there. Found by the generated
 * differential run (seed 11, gen-11-02 and gen-11-07: a source with min_res 2000, six
 * capabilities differences). The attributes are MapProxy 1.15's, captured by
 * test/fixtures/wms-scale-hint/capture.py.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

/** The attributes as numbers (MapProxy writes Python's float repr, we JavaScript's). */
function numbers(attributes: Record<string, string | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, Number(value)]));
}

test('ScaleHint names only the bounds a layer’s resolution range has, as MapProxy', async (t) => {
  const captures = JSON.parse(
    await readFile(join(FIXTURES_DIR, 'wms-scale-hint', 'captures.json'), 'utf8'),
  ) as Record<string, Record<string, string>>;
  const upstream = await startUpstream(t);
  const proxy = await startProxy(t, 'wms-scale-hint/scale_hint.yaml', { UPSTREAM_URL: upstream.url });
  for (const version of ['1.0.0', '1.1.0', '1.1.1']) {
    const res = await fetch(`${proxy.url}/service?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=${version}`);
    assert.equal(res.status, 200, version);
    const doc = await res.text();
    const hints: Record<string, Record<string, number>> = {};
    for (const [, name = '', attributes = ''] of doc.matchAll(
      /<Name>(\w+)<\/Name>[^]*?<ScaleHint([^>]*?)\s*\/>/g,
    )) {
      const pairs = [...attributes.matchAll(/(\w+)="([^"]*)"/g)].map((m): [string, string] => [
        m[1] ?? '',
        m[2] ?? '',
      ]);
      hints[name] = numbers(Object.fromEntries(pairs));
    }
    const expected = Object.fromEntries(
      Object.entries(captures).map(([name, attrs]) => [name, numbers(attrs)]),
    );
    assert.deepEqual(hints, expected, version);
  }
});
