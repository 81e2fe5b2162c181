/**
 * Cache `watermark` (issue 15) against tiles MapProxy 1.15 created from the same config over a
 * solid blue upstream (test/fixtures/watermark/*.png, `<layer>-<tms z>-<x>-<y>.png`): where the
 * text is (bounding box of the changed pixels), its blended colour, and which tiles of
 * `spacing: wide` carry text. Glyph shapes differ (librsvg, not Pillow), see docs/differences.md.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import sharp from 'sharp';
import { startProxy } from '../helpers/proxy.js';
import { solidPng, startUpstream } from '../helpers/upstream.js';

const FIXTURES = new URL('../fixtures/watermark/', import.meta.url);
const BLUE = [0, 0, 255] as const;

interface TextStats {
  /** [minx, miny, maxx, maxy] of pixels that differ from blue, or null. */
  readonly bbox: readonly number[] | null;
  /** The most common non-blue colour (the fully covered text pixels). */
  readonly ink: readonly number[] | null;
}

async function textStats(png: Buffer): Promise<TextStats> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  let bbox: number[] | null = null;
  const counts = new Map<string, number>();
  for (let y = 0; y < info.height; y += 1)
    for (let x = 0; x < info.width; x += 1) {
      const i = (y * info.width + x) * 4;
      const rgb = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0];
      if (rgb.every((c, k) => Math.abs(c - (BLUE[k] ?? 0)) <= 1)) continue;
      bbox =
        bbox === null
          ? [x, y, x, y]
          : [
              Math.min(bbox[0] ?? x, x),
              Math.min(bbox[1] ?? y, y),
              Math.max(bbox[2] ?? x, x),
              Math.max(bbox[3] ?? y, y),
            ];
      const key = rgb.join(',');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  const top = [...counts].sort((a, b) => b[1] - a[1])[0];
  return { bbox, ink: top === undefined ? null : top[0].split(',').map(Number) };
}

function assertClose(
  actual: readonly number[] | null,
  expected: readonly number[] | null,
  tolerance: number,
  what: string,
): void {
  if (expected === null || actual === null) {
    assert.equal(actual, expected, what);
    return;
  }
  assert.ok(
    actual.every((v, i) => Math.abs(v - (expected[i] ?? 0)) <= tolerance),
    `${what}: ${actual.join(',')} vs MapProxy ${expected.join(',')}`,
  );
}

for (const layer of ['wm_default', 'wm_wide']) {
  test(`${layer}: text where MapProxy 1.15 draws it, in its colour and opacity`, async (t) => {
    const blue = await solidPng([...BLUE, 255]);
    const upstream = await startUpstream(t, { '/service': () => blue });
    const proxy = await startProxy(t, 'watermark.yaml', { UPSTREAM_URL: upstream.url });
    for (const x of [0, 1, 2, 3])
      for (const y of [0, 1]) {
        const name = `${layer}-1-${String(x)}-${String(y)}.png`;
        const res = await fetch(`${proxy.url}/tms/1.0.0/${layer}/EPSG4326/1/${String(x)}/${String(y)}.png`);
        assert.equal(res.status, 200, name);
        const ours = await textStats(Buffer.from(await res.arrayBuffer()));
        const theirs = await textStats(await readFile(new URL(name, FIXTURES)));
        assertClose(ours.bbox, theirs.bbox, 4, `${name} text bbox`);
        assertClose(ours.ink, theirs.ink, 3, `${name} text colour`);
      }
  });
}
