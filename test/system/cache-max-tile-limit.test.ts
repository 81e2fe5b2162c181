/**
 * A cache's own `max_tile_limit` (MapProxy 1.15 reads it before `globals.cache.max_tile_limit`,
 * although its spec warns about the key as unknown): a WMS GetMap of more tiles is refused.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startServer } from '../../src/core/index.js';
import { makeTempDir } from '../helpers/fixtures.js';

/** Serves `yaml` from a new temporary directory until the test ends. */
async function serveConfig(t: TestContext, yaml: string): Promise<{ readonly url: string }> {
  const dir = await makeTempDir(t, 'cache-max-tile-limit-');
  const configFile = join(dir, 'mapproxy.yaml');
  await writeFile(configFile, yaml);
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  return server;
}

test("a cache's own max_tile_limit refuses a GetMap of more tiles, as MapProxy does", async (t) => {
  const server = await serveConfig(
    t,
    `
services:
  wms:
    md: {title: max_tile_limit}
layers:
  - {name: limited, title: limited, sources: [limited]}
  - {name: free, title: free, sources: [free]}
caches:
  limited:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [d]
    max_tile_limit: 1
  free:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [d]
sources:
  d: {type: debug}
`,
  );
  const answers: Record<string, string> = {};
  for (const layer of ['limited', 'free']) {
    const res = await fetch(
      `${server.url}/service?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=${layer}&STYLES=` +
        '&SRS=EPSG:3857&BBOX=-20037508,-20037508,20037508,20037508&WIDTH=512&HEIGHT=512&FORMAT=image/png',
    );
    const body = await res.text();
    answers[layer] = res.headers.get('content-type') === 'image/png' ? 'image/png' : body;
  }
  // MapProxy 1.15's answers on this configuration
  assert.equal(answers.free, 'image/png');
  assert.match(
    answers.limited ?? '',
    /Request too large or invalid BBOX\. \(too many tiles, max_tile_limit: 1, num_tiles: 4\)/,
  );
});

test('a cache read as the source of another cache has no max_tile_limit when it has one grid, as in MapProxy', async (t) => {
  // `a` (geodetic) is fed by `b` (one grid, web mercator): a meta tile of `a` spans dozens of b's
  // tiles, which MapProxy's CacheSource stitches without a limit; `m` has two grids, so MapProxy
  // reads it through its map layer, which has the limit
  const server = await serveConfig(
    t,
    `
services:
  tms:
globals:
  cache: {max_tile_limit: 2}
grids:
  utm: {srs: 'EPSG:25832', bbox: [-46133.17, 5048875.26857567, 1206211.10142433, 6301219.54], origin: sw}
layers:
  - {name: a, title: a, sources: [a]}
  - {name: am, title: am, sources: [am]}
caches:
  b: {grids: [GLOBAL_WEBMERCATOR], sources: [d]}
  a: {grids: [GLOBAL_GEODETIC], sources: [b]}
  m: {grids: [GLOBAL_WEBMERCATOR, utm], sources: [d]}
  am: {grids: [GLOBAL_GEODETIC], sources: [m]}
sources:
  d: {type: debug}
`,
  );
  const statuses: Record<string, string> = {};
  for (const layer of ['a', 'am']) {
    const res = await fetch(`${server.url}/tms/1.0.0/${layer}/EPSG4326/4/5/3.png`);
    await res.arrayBuffer();
    statuses[layer] = `${String(res.status)} ${res.headers.get('content-type') ?? ''}`;
  }
  // MapProxy 1.15's answers on this configuration (by hand): the tile, and a 500 for the
  // two-grid source ('too many tiles, max_tile_limit: 2, num_tiles: 72' in its log)
  assert.equal(statuses.a, '200 image/png');
  assert.match(statuses.am ?? '', /^500 /);
});
