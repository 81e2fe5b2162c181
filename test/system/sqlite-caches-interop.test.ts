/**
 * Interop of the sqlite-family caches with MapProxy 1.15 over real sockets: an .mbtiles, a sqlite
 * level cache and a .gpkg that `mapproxy-seed` wrote (test/fixtures/mapproxy-1.15/sqlite-caches/)
 * are served byte for byte, without one upstream request and without changing the files.
 */
import assert from 'node:assert/strict';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

const FIXTURE = 'mapproxy-1.15/sqlite-caches';
const fixtureData = join(FIXTURES_DIR, FIXTURE, 'cache_data');

interface Layer {
  readonly layer: string;
  readonly grid: string;
  /** The file holding level `z` and the table in it. */
  readonly file: (z: number) => string;
  readonly table: string;
  readonly levels: number;
  /** True for a grid with its origin top left: tile_row counts from the top, as WMTS rows do. */
  readonly topOrigin: boolean;
}

const LAYERS: readonly Layer[] = [
  // MapProxy's GLOBAL_WEBMERCATOR has its origin top left (nw)
  {
    layer: 'mb',
    grid: 'GLOBAL_WEBMERCATOR',
    file: () => 'mb.mbtiles',
    table: 'tiles',
    levels: 3,
    topOrigin: true,
  },
  {
    layer: 'sq',
    grid: 'GLOBAL_WEBMERCATOR',
    file: (z) => `sqlite/GLOBAL_WEBMERCATOR/${z}.mbtile`,
    table: 'tiles',
    levels: 3,
    topOrigin: true,
  },
  {
    layer: 'gp',
    grid: 'GLOBAL_WEBMERCATOR',
    file: () => 'gp.gpkg',
    table: 'gp_cache_GLOBAL_WEBMERCATOR',
    levels: 3,
    topOrigin: true,
  },
  // a bottom-left grid: MBTiles' own TMS rows, as MapProxy stores the grid's row without flipping
  {
    layer: 'mbsw',
    grid: 'webmercator_sw',
    file: () => 'mbsw.mbtiles',
    table: 'tiles',
    levels: 2,
    topOrigin: false,
  },
];

/** The stored bytes of (z, column, row) read straight from MapProxy's file. */
function storedTile(dir: string, layer: Layer, z: number, column: number, row: number): Buffer {
  const db = new Database(join(dir, layer.file(z)), { readonly: true });
  try {
    const found = db
      .prepare(
        `SELECT tile_data FROM [${layer.table}] WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?`,
      )
      .get(z, column, row) as { tile_data: Buffer } | undefined;
    assert.ok(found, `${layer.layer} has tile ${z}/${column}/${row}`);
    return found.tile_data;
  } finally {
    db.close();
  }
}

for (const layer of LAYERS) {
  test(`a ${layer.layer} cache written by MapProxy 1.15 is served as stored, without an upstream request`, async (t) => {
    const upstream = await startUpstream(t); // no routes: any request fails the test
    const proxy = await startProxy(t, `${FIXTURE}/mapproxy.yaml`, {
      UPSTREAM_URL: upstream.url,
      SOURCE: 'up',
    });
    const dir = join(proxy.dir, 'cache_data');
    await cp(fixtureData, dir, { recursive: true });
    for (let z = 0; z < layer.levels; z++) {
      const n = 2 ** z;
      for (let x = 0; x < n; x++) {
        for (let wmtsRow = 0; wmtsRow < n; wmtsRow++) {
          // WMTS rows count from the top; MapProxy stores the grid's own row, flipped only for ll grids
          const row = layer.topOrigin ? wmtsRow : n - 1 - wmtsRow;
          const res = await fetch(`${proxy.url}/wmts/${layer.layer}/${layer.grid}/${z}/${x}/${wmtsRow}.png`);
          assert.equal(res.status, 200, `${z}/${x}/${wmtsRow}`);
          const body = Buffer.from(await res.arrayBuffer());
          assert.ok(
            body.equals(storedTile(dir, layer, z, x, row)),
            `${layer.layer} ${z}/${x}/${wmtsRow} unchanged`,
          );
        }
      }
    }
    assert.equal(upstream.requests.length, 0);
    // serving reads only: MapProxy's files are byte-identical afterwards (no WAL switch, no init)
    for (let z = 0; z < layer.levels; z++) {
      const file = layer.file(z);
      assert.ok(
        (await readFile(join(dir, file))).equals(await readFile(join(fixtureData, file))),
        `${file} unchanged`,
      );
    }
  });
}
