/**
 * Caches with `transparent: true` over an opaque source answering JPEG: MapProxy encodes the
 * tiles cut from the answer in the answer's PIL mode, RGB, whatever the cache's transparency:
 * an 8-bit PNG quantised by FASTOCTREE on RGB (no tRNS chunk), a GIF by Pillow's RGB path (median
 * cut), a true-colour PNG as RGB. Ours quantised with alpha as the cache's transparency said: PNG
 * tiles 29.9 dB from MapProxy's with a tRNS chunk, GIF tiles 24.5 dB, true-colour PNG tiles RGBA.
 * A WMS map under TRANSPARENT=true that is exactly one tile is that tile's stored bytes in MapProxy
 * (its TileMerger and LayerMerger hand the lone tile on, as_buffer keeps its bytes), also when the
 * map creates the tile; ours quantised the tile's pixels again (a tRNS chunk, 176 of 256 colours
 * left). The tiles and maps are MapProxy 1.15's, captured by
 * test/fixtures/jpeg-source-transparent-cache/capture.py.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

const DIR = join(FIXTURES_DIR, 'jpeg-source-transparent-cache');

async function rgba(image: Buffer): Promise<Buffer> {
  return sharp(image).ensureAlpha().raw().toBuffer();
}

/** PIL's mode of a PNG or GIF as PIL opens it (the tRNS chunk or transparent index aside). */
function pilModeOf(image: Buffer): string {
  if (image.subarray(0, 3).toString('latin1') === 'GIF') return 'P';
  const modes: Readonly<Record<number, string>> = { 2: 'RGB', 3: 'P', 6: 'RGBA' };
  return modes[image[25] ?? -1] ?? `colour type ${String(image[25])}`;
}

/** Whether a PNG has a tRNS chunk (a palette entry with alpha). */
function hasTrns(png: Buffer): boolean {
  return png.subarray(0, 8).toString('latin1') === '\x89PNG\r\n\x1a\n' && png.includes('tRNS', 8, 'latin1');
}

test('a JPEG source’s tiles in a transparent cache are encoded as MapProxy encodes an RGB image, a one-tile map is the tile', async (t) => {
  const captures = JSON.parse(await readFile(join(DIR, 'captures.json'), 'utf8')) as Record<
    string,
    { path: string; contentType: string; image: string; pilMode: string }
  >;
  const answers = new Map([
    ['256', await readFile(join(DIR, 'upstream-256.jpg'))],
    ['512', await readFile(join(DIR, 'upstream-512.jpg'))],
  ]);
  const upstream = await startUpstream(t, {
    '/service': (request) => answers.get(request.query.get('width') ?? '') ?? Buffer.alloc(0),
  });
  const proxy = await startProxy(t, 'jpeg-source-transparent-cache/jpeg_source_transparent_cache.yaml', {
    UPSTREAM_URL: upstream.url,
  });
  // every step's problems at once
  const problems: string[] = [];
  for (const [step, capture] of Object.entries(captures)) {
    const res = await fetch(`${proxy.url}/${capture.path}`);
    assert.equal(res.status, 200, step);
    assert.equal(res.headers.get('content-type'), capture.contentType, step);
    const ours = Buffer.from(await res.arrayBuffer());
    const theirs = await readFile(join(DIR, capture.image));
    if (pilModeOf(ours) !== capture.pilMode) problems.push(`${step}: mode ${pilModeOf(ours)}`);
    if (hasTrns(ours) !== hasTrns(theirs)) problems.push(`${step}: tRNS ${String(hasTrns(ours))}`);
    if (!(await rgba(ours)).equals(await rgba(theirs))) problems.push(`${step}: not MapProxy's pixels`);
    // a map that is one tile goes out as the tile's stored bytes, which are MapProxy's
    if (step.startsWith('map-') && !ours.equals(theirs)) problems.push(`${step}: not MapProxy's bytes`);
  }
  assert.deepEqual(problems, []);
});
