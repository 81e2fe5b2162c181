/**
 * Issue 12, a deliberate difference (docs/differences.md): an EPSG:4326 GetMap wholly west of
 * -180° from a web-mercator cache. PROJ wraps its longitudes (-190° is 170°), but MapProxy 1.15
 * then widens the box to the grid's west edge, so it requests a whole row of tiles: here it
 * answers "Request too large or invalid BBOX. (too many tiles, max_tile_limit: 500, num_tiles:
 * 7968)" (captured), and for a wider box it fetched 62 tiles where 6 show (combined_sources.yaml).
 * We keep the wrapped box: the map, from the tiles at 170° only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream, type UpstreamRequest } from '../helpers/upstream.js';

const GETMAP =
  '/service?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS=cached&STYLES=&SRS=EPSG:4326&BBOX=-190.0,53.0,-189.0,53.6&WIDTH=256&HEIGHT=256&FORMAT=image/png';
// 170° east in web mercator
const X_170E = 18924313.434856508;

function solidBlue(request: UpstreamRequest): Promise<Buffer> {
  const width = Number(request.query.get('width'));
  const height = Number(request.query.get('height'));
  const background = { r: 20, g: 40, b: 220, alpha: 1 };
  return sharp({ create: { width, height, channels: 4, background } }).png().toBuffer();
}

test('a map wholly beyond -180° is drawn from the tiles where the longitudes wrap to, not refused', async (t) => {
  const upstream = await startUpstream(t);
  // one meta tile (4x4 tiles) around 170°E
  upstream.expect((request) => request.pathname === '/service', solidBlue);
  const proxy = await startProxy(t, 'cache-request-format/cache_request_format.yaml', { UPSTREAM_URL: upstream.url });
  const res = await fetch(proxy.url + GETMAP);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  const { data } = await sharp(Buffer.from(await res.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([...data.subarray(0, 3)], [20, 40, 220]);
  upstream.verify();
  const [minx = NaN, , maxx = NaN] = (upstream.requests[0]?.query.get('bbox') ?? '').split(',').map(Number);
  assert.ok(minx <= X_170E && X_170E <= maxx && maxx - minx < 1_000_000, `meta tile at 170°E: ${minx}..${maxx}`);
});
