/**
 * `globals.cache.sqlite_wal` (and `sqlite_timeout`): MapProxy's spec does not list them (it warns
 * about them as unknown keys; our check does not), but its loader reads them for every mbtiles,
 * sqlite and geopackage cache without its own; `sqlite_wal: false` there keeps the files in
 * rollback-journal mode.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { startServer } from '../../src/core/index.js';
import { makeTempDir } from '../helpers/fixtures.js';

test('globals.cache.sqlite_wal: false keeps the caches without their own setting out of WAL mode', async (t) => {
  const dir = await makeTempDir(t, 'sqlite-wal-global-');
  const configFile = join(dir, 'mapproxy.yaml');
  await writeFile(
    configFile,
    `
globals:
  cache:
    sqlite_wal: false
services:
  tms:
layers:
  - {name: plain, title: plain, sources: [plain]}
  - {name: own, title: own, sources: [own]}
caches:
  plain:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [d]
    cache: {type: mbtiles}
  own:
    grids: [GLOBAL_WEBMERCATOR]
    sources: [d]
    cache: {type: mbtiles, sqlite_wal: true}
sources:
  d: {type: debug}
`,
  );
  const server = await startServer({
    configFile,
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  const modes: Record<string, unknown> = {};
  for (const name of ['plain', 'own']) {
    const res = await fetch(`${server.url}/tms/1.0.0/${name}/EPSG3857/1/0/0.png`);
    assert.equal(res.status, 200, name);
    await res.arrayBuffer();
    const db = new Database(join(dir, 'cache_data', `${name}.mbtiles`), { readonly: true });
    modes[name] = db.pragma('journal_mode', { simple: true });
    db.close();
  }
  // the cache's own key still wins over the global one
  assert.deepEqual(modes, { plain: 'delete', own: 'wal' });
});
