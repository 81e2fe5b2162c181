/**
 * MapProxy 1.15 serves the sqlite-family and compact caches mapproxy-ts writes: mbtiles, sqlite
 * levels, geopackage (one file and levels) and compact v1/v2, seeded by our `seed`, were served by
 * MapProxy with no upstream request, each tile byte for byte our answer (captured once by
 * test/fixtures/mapproxy-1.15/reverse-caches/capture.ts.txt). Here our seed writes the same caches
 * and our server must give exactly the answers MapProxy gave from them.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runSeed, startServer } from '../../src/core/index.js';
import { startColourUpstream, TILE_PATHS } from '../helpers/colour-upstream.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { startUpstream } from '../helpers/upstream.js';

const FIXTURE = join(FIXTURES_DIR, 'mapproxy-1.15/reverse-caches');

interface Capture {
  readonly seedRequests: number;
  readonly upstreamRequestsWhileServing: number;
  readonly tiles: Readonly<Record<string, { status: number; sha256: string; equalsOurs: boolean }>>;
}
const expected = JSON.parse(await readFile(join(FIXTURE, 'expected.json'), 'utf8')) as Capture;

test('caches our seed writes are the caches MapProxy 1.15 served, tile for tile, without an upstream', async (t) => {
  // what the capture shows of MapProxy
  assert.equal(expected.upstreamRequestsWhileServing, 0);
  assert.deepEqual(Object.keys(expected.tiles), TILE_PATHS);
  for (const [path, tile] of Object.entries(expected.tiles)) {
    assert.equal(tile.status, 200, path);
    assert.ok(tile.equalsOurs, `MapProxy answered ${path} as we did`);
  }

  // 1. our seed, from the same upstream
  const colours = await startColourUpstream();
  t.after(() => colours.close());
  const dir = await makeTempDir(t, 'reverse-caches-');
  const yaml = await readFile(join(FIXTURE, 'mapproxy.yaml'), 'utf8');
  await copyFile(join(FIXTURE, 'seed.yaml'), join(dir, 'seed.yaml'));
  await writeFile(join(dir, 'mapproxy.yaml'), yaml.replaceAll('${UPSTREAM_URL}', colours.url));
  const seeded = await runSeed({
    proxyConfigFile: join(dir, 'mapproxy.yaml'),
    seedConfigFile: join(dir, 'seed.yaml'),
    concurrency: 1,
    retries: 0,
  });
  assert.equal(seeded.status, 'done');
  assert.equal(colours.count(), expected.seedRequests);

  // 2. served from those files, with an upstream that fails the test on any request
  const dead = await startUpstream(t);
  await writeFile(join(dir, 'mapproxy.yaml'), yaml.replaceAll('${UPSTREAM_URL}', dead.url));
  const server = await startServer({
    configFile: join(dir, 'mapproxy.yaml'),
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  for (const path of TILE_PATHS) {
    const res = await fetch(`${server.url}${path}`);
    const sha256 = createHash('sha256')
      .update(Buffer.from(await res.arrayBuffer()))
      .digest('hex');
    assert.deepEqual(
      { status: res.status, sha256 },
      { status: 200, sha256: expected.tiles[path]?.sha256 },
      path,
    );
  }
  assert.equal(dead.requests.length, 0);
});
