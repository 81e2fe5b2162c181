/**
 * The tile source against a real HTTP upstream. Expected paths were computed with MapProxy
 * 1.15.1's `TileURLTemplate` (/usr/bin/python3, GLOBAL_WEBMERCATOR = tile_grid(3857, origin='nw')).
 */
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { test } from 'node:test';
import { closeHttpClients } from '../client/index.js';
import {
  createBBoxCoverage,
  createTileGrid,
  GLOBAL_WEBMERCATOR,
  tileBBox,
  type TileCoord,
} from '../grid/index.js';
import { getSrs } from '../srs/index.js';
import { configureLogging, onLog, type LogRecord } from '../util/index.js';
import { createTileSource, onErrorInfo, type MapQuery } from './index.js';
import { noisyPng, startUpstream } from '../../../test/helpers/upstream.js';

/**
 * A real transparent image of `size`, padded with zero bytes to `length` bytes when it is shorter
 * (decoders stop at the end marker), so log lines can state an exact size.
 */
async function imageBytes(
  kind: 'png' | 'jpeg',
  length: number,
  size: readonly [number, number] = [1, 1],
): Promise<Buffer> {
  const background = { r: 0, g: 0, b: 0, alpha: 0 };
  const pixel = sharp({ create: { width: size[0], height: size[1], channels: 4, background } });
  const bytes = await (kind === 'png' ? pixel.png() : pixel.jpeg()).toBuffer();
  return Buffer.concat([bytes, Buffer.alloc(Math.max(0, length - bytes.length))]);
}

configureLogging({ stdout: false });
test.after(closeHttpClients);

const grid = createTileGrid(GLOBAL_WEBMERCATOR);
const PNG = { headers: { 'content-type': 'image/png' }, body: await imageBytes('png', 100, [256, 256]) };

function tileQuery(coord: TileCoord, extra: Partial<MapQuery> = {}): MapQuery {
  return {
    bbox: tileBBox(grid, coord),
    size: [256, 256],
    srs: getSrs('EPSG:3857'),
    format: 'image/png',
    transparent: false,
    dimensions: {},
    isSeeding: false,
    ...extra,
  };
}

test('every URL placeholder is filled like MapProxy TileURLTemplate', async (t) => {
  const upstream = await startUpstream(t);
  upstream
    .expect(
      '/2/1/2.png?q=21&tc=02/000/000/001/000/000/002&tms=2/1/2&arc=L02/R00000002/C00000001&bbox=-10018754.17139462,-10018754.17139462,0.00000000,0.00000000&zz=02',
      PNG,
    )
    .expect(
      '/4/5/9.png?q=2103&tc=04/000/000/005/000/000/009&tms=4/5/9&arc=L04/R00000009/C00000005&bbox=-7514065.62854597,-5009377.08569731,-5009377.08569731,-2504688.54284865&zz=04',
      PNG,
    );
  const source = createTileSource({
    name: 'tiles',
    grid,
    url: `${upstream.url}/%(z)s/%(x)s/%(y)s.%(format)s?q=%(quadkey)s&tc=%(tc_path)s&tms=%(tms_path)s&arc=%(arcgiscache_path)s&bbox=%(bbox)s&zz=%(z)02d`,
  });
  assert.equal(source.tileGrid, grid);
  assert.deepEqual((await source.getMap(tileQuery({ x: 1, y: 2, z: 2 })))?.size, [256, 256]);
  await source.getMap(tileQuery({ x: 5, y: 9, z: 4 }));
});

test('the format placeholder is the extension of the query format', async (t) => {
  const upstream = await startUpstream(t);
  upstream.expect('/tiles/1/0/0.jpeg', {
    headers: { 'content-type': 'image/jpeg' },
    body: await imageBytes('jpeg', 0, [256, 256]),
  });
  const source = createTileSource({
    name: 't',
    grid,
    url: `${upstream.url}/tiles/%(z)s/%(x)s/%(y)s.%(format)s`,
  });
  const image = await source.getMap(tileQuery({ x: 0, y: 0, z: 1 }, { format: 'image/jpeg' }));
  assert.equal(image?.format, 'image/jpeg');
});

test('a query that is not exactly one tile of the grid is a SourceError', async (t) => {
  await startUpstream(t); // no request may reach it
  const source = createTileSource({ name: 't', grid, url: 'http://127.0.0.1:9/%(z)s/%(x)s/%(y)s.png' });
  const twoTiles = tileQuery(
    { x: 0, y: 0, z: 2 },
    { bbox: [-20037508.342789244, 0, 0, 20037508.342789244], size: [256, 256] },
  );
  await assert.rejects(
    source.getMap({ ...twoTiles, bbox: [-20037508.342789244, -10018754.17139462, 0, 10018754.17139462] }),
    {
      code: 'SOURCE_INVALID_QUERY',
      message: 'BBOX does not align to tile',
    },
  );
  await assert.rejects(source.getMap(tileQuery({ x: 0, y: 0, z: 1 }, { size: [512, 512] })), {
    message: 'tile size of cache and tile source do not match: (256, 256) != (512, 512)',
  });
  await assert.rejects(source.getMap(tileQuery({ x: 0, y: 0, z: 1 }, { srs: getSrs('EPSG:4326') })), {
    message: "SRS of cache and tile source do not match: SRS('EPSG:3857') != SRS('EPSG:4326')",
  });
});

test('coverage, resolution range and seed_only answer null without a request', async (t) => {
  await startUpstream(t);
  const url = 'http://127.0.0.1:9/%(z)s/%(x)s/%(y)s.png';
  const coverage = createBBoxCoverage({ bbox: [5, 50, 10, 55], srs: 'EPSG:4326' });
  assert.equal(
    await createTileSource({ name: 'a', grid, url, coverage }).getMap(tileQuery({ x: 0, y: 3, z: 2 })),
    null,
  );
  assert.equal(
    await createTileSource({ name: 'b', grid, url, minRes: 1000 }).getMap(tileQuery({ x: 0, y: 0, z: 1 })),
    null,
  );
  assert.equal(
    await createTileSource({ name: 'c', grid, url, seedOnly: true }).getMap(tileQuery({ x: 0, y: 0, z: 1 })),
    null,
  );
});

test('HTTP errors: hidden text, MapProxy warning, on_error colour tile with its cache flag', async (t) => {
  const records: LogRecord[] = [];
  t.after(onLog((record) => records.push(record)));
  const upstream = await startUpstream(t, {
    '/tiles/1/0/0.png': { status: 404 },
    '/tiles/1/1/0.png': { status: 500 },
  });
  const url = `${upstream.url}/tiles/%(z)s/%(x)s/%(y)s.png`;
  const plain = createTileSource({ name: 't', grid, url });
  await assert.rejects(plain.getMap(tileQuery({ x: 0, y: 0, z: 1 })), {
    name: 'SourceError',
    code: 'SOURCE_HTTP',
    status: 404,
    message: 'HTTP Error (see logs for URL and reason).',
  });
  assert.equal(
    records.find((r) => r.name === 'mapproxy.source.tile')?.message,
    `could not retrieve tile: HTTP Error "${upstream.url}/tiles/1/0/0.png": 404`,
  );
  assert.match(
    records.find((r) => r.name === 'mapproxy.source.request')?.message ?? '',
    new RegExp(`^GET ${upstream.url}/tiles/1/0/0\\.png 404 - \\d+$`),
  );
  const handled = createTileSource({
    name: 'h',
    grid,
    url,
    onError: { 404: { color: [255, 0, 0, 255], cache: true }, other: { color: [255, 255, 255, 0] } },
  });
  const red = await handled.getMap(tileQuery({ x: 0, y: 0, z: 1 }));
  assert.ok(red !== null);
  assert.deepEqual([...(await red.raw()).data.subarray(0, 4)], [255, 0, 0, 255]);
  assert.deepEqual(onErrorInfo(red), { cacheable: true, authorizeStale: false });
  const other = await handled.getMap(tileQuery({ x: 1, y: 0, z: 1 }));
  assert.ok(other !== null);
  assert.deepEqual(onErrorInfo(other), { cacheable: false, authorizeStale: false });
});

test('a non-image reply is an error with the body, as MapProxy open_image', async (t) => {
  const upstream = await startUpstream(t, {
    '/t/1/0/0.png': { headers: { 'content-type': 'text/html' }, body: 'nope' },
  });
  const source = createTileSource({ name: 't', grid, url: `${upstream.url}/t/%(z)s/%(x)s/%(y)s.png` });
  await assert.rejects(source.getMap(tileQuery({ x: 0, y: 0, z: 1 })), {
    code: 'SOURCE_NOT_IMAGE',
    message: "response is not an image: (b'nope')",
  });
});

test("a tile of another size than the grid's is a SourceError, not padded or cropped", async (t) => {
  const upstream = await startUpstream(t, {
    '/t/1/0/0.png': {
      headers: { 'content-type': 'image/png' },
      body: await imageBytes('png', 0, [512, 512]),
    },
  });
  const source = createTileSource({ name: 't', grid, url: `${upstream.url}/t/%(z)s/%(x)s/%(y)s.png` });
  await assert.rejects(source.getMap(tileQuery({ x: 0, y: 0, z: 1 })), {
    name: 'SourceError',
    code: 'SOURCE_IMAGE_SIZE',
    sourceName: 't',
    message: 'invalid image returned from tile source: 512x512 pixels, requested 256x256',
  });
});

test('a truncated PNG with a matching Content-Length is a SourceError', async (t) => {
  const png = await noisyPng([256, 256]);
  const upstream = await startUpstream(t, {
    '/t/1/0/0.png': { headers: { 'content-type': 'image/png' }, body: png.subarray(0, png.length - 4000) },
  });
  const source = createTileSource({ name: 't', grid, url: `${upstream.url}/t/%(z)s/%(x)s/%(y)s.png` });
  await assert.rejects(source.getMap(tileQuery({ x: 0, y: 0, z: 1 })), {
    code: 'SOURCE_NOT_IMAGE',
    sourceName: 't',
    message: /^invalid image returned from tile source: cannot decode image: /,
  });
});

test('an unknown placeholder is a configuration error', () => {
  assert.throws(() => createTileSource({ name: 't', grid, url: 'http://x/%(zoom)s/%(x)s.png' }), {
    code: 'SOURCE_INVALID_CONFIG',
  });
});
