/**
 * An EPSG:4326 map past latitude 90° from a WMS source asked in a projected SRS: PROJ's forward
 * projection refuses such latitudes (pyproj inf), so MapProxy's reprojection mesh has no source
 * there and the source's RGB answer is black beyond the pole. proj4js projected them as if
 * mirrored, so we drew the source's pixels there (generated differential gen-12-05: LAYERS with a
 * source of supported_srs EPSG:25832 at BBOX=-295,8,-43,163, 10.9 dB). The map is MapProxy 1.15's,
 * captured with its upstream answer by test/fixtures/wms-beyond-pole/capture.py.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const DIR = join(FIXTURES_DIR, 'wms-beyond-pole');

/** The capture's upstream answer of the requested size, byte for byte. */
function red(request: UpstreamRequest): Promise<Buffer> {
  const size = `${request.query.get('width') ?? ''}x${request.query.get('height') ?? ''}`;
  return readFile(join(DIR, `answer-${size}.jpeg`));
}

test('a 4326 map past the pole from a projected source is black there, as MapProxy', async (t) => {
  const { map } = JSON.parse(await readFile(join(DIR, 'captures.json'), 'utf8')) as Record<
    string,
    { query: string; image: string }
  >;
  assert.ok(map !== undefined);
  const upstream = await startUpstream(t, { '/service': red });
  const proxy = await startProxy(t, 'wms-beyond-pole/wms_beyond_pole.yaml', { UPSTREAM_URL: upstream.url });
  const res = await fetch(`${proxy.url}/service?${map.query}`);
  assert.equal(res.status, 200);
  const ours = await sharp(Buffer.from(await res.arrayBuffer()))
    .ensureAlpha()
    .raw()
    .toBuffer();
  const theirs = await sharp(await readFile(join(DIR, map.image)))
    .ensureAlpha()
    .raw()
    .toBuffer();
  // the top row is beyond the pole: black, not the source's red
  assert.deepEqual([...ours.subarray(30 * 4, 30 * 4 + 4)], [0, 0, 0, 255]);
  assert.ok(ours.equals(theirs), 'the map differs from MapProxy 1.15’s');
});
