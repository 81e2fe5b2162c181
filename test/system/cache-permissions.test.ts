/**
 * `directory_permissions` and `file_permissions` (MapProxy >= 3.1; a cache's own, else
 * `globals.cache`'s): the modes of what a cache creates, whatever the process's umask, for file,
 * mbtiles, sqlite, geopackage and compact caches, and of the tile lock directory (the global one).
 */
import assert from 'node:assert/strict';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startServer } from '../../src/core/index.js';
import { makeTempDir } from '../helpers/fixtures.js';

const CONFIG = `
globals:
  cache:
    directory_permissions: '0750'
    file_permissions: '600'
services:
  tms:
layers:
  - {name: file, title: file, sources: [file]}
  - {name: mb, title: mb, sources: [mb]}
  - {name: levels, title: levels, sources: [levels]}
  - {name: gpkg, title: gpkg, sources: [gpkg]}
  - {name: compact, title: compact, sources: [compact]}
caches:
  file:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [d]
    cache: {type: file, directory_permissions: '700', file_permissions: '640'}
  mb:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [d]
    cache: {type: mbtiles}
  levels:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [d]
    cache: {type: sqlite, file_permissions: '604'}
  gpkg:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [d]
    cache: {type: geopackage, filename: tiles.gpkg}
  compact:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [d]
    cache: {type: compact, version: 2}
sources:
  d: {type: debug}
`;

async function mode(path: string): Promise<string> {
  return ((await stat(path)).mode & 0o777).toString(8);
}

async function serve(t: TestContext, dir: string): Promise<string> {
  const configFile = join(dir, 'mapproxy.yaml');
  await writeFile(configFile, CONFIG);
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  return server.url;
}

test('caches create their files and directories with the configured permissions', async (t) => {
  const dir = await makeTempDir(t, 'cache-permissions-');
  const url = await serve(t, dir);
  // TMS level 1 of the layer is stored as level 2 (the paths below)
  for (const layer of ['file', 'mb', 'levels', 'gpkg', 'compact']) {
    const res = await fetch(`${url}/tms/1.0.0/${layer}/EPSG3857/1/0/0.png`);
    assert.equal(res.status, 200, layer);
  }
  const data = join(dir, 'cache_data');
  // the file cache's own: rwx------ directories, rw-r----- tiles
  const fileCache = join(data, 'file_EPSG3857', '02', '000', '000', '000', '000', '000');
  assert.equal(await mode(fileCache), '700');
  const [tile] = await readdir(fileCache);
  assert.ok(tile !== undefined);
  assert.equal(await mode(join(fileCache, tile)), '640');
  // globals.cache for the others: an mbtiles file, sqlite levels (their own file mode), a geopackage
  assert.equal(await mode(join(data, 'mb.mbtiles')), '600');
  assert.equal(await mode(join(data, 'levels', 'GLOBAL_WEBMERCATOR')), '750');
  assert.equal(await mode(join(data, 'levels', 'GLOBAL_WEBMERCATOR', '2.mbtile')), '604');
  assert.equal(await mode(join(data, 'tiles.gpkg')), '600');
  const bundles = join(data, 'compact', 'GLOBAL_WEBMERCATOR', 'L02');
  assert.equal(await mode(bundles), '750');
  for (const name of await readdir(bundles)) {
    if (!name.endsWith('.lock')) assert.equal(await mode(join(bundles, name)), '600', name);
  }
  // the tile lock directory: globals.cache.directory_permissions
  assert.equal(await mode(join(data, 'tile_locks')), '750');
});
