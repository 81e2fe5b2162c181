/**
 * MapProxy 1.15 serves the caches mapproxy-ts writes: mbtiles, sqlite levels, geopackage (one file
 * and levels), compact v1/v2 and redis, seeded by our `seed`, were served by MapProxy with no
 * upstream request, each tile byte for byte our answer (captured once by
 * test/fixtures/mapproxy-1.15/reverse-caches/capture.ts.txt). Here our seed writes the same caches
 * and our server must give exactly the answers MapProxy gave from them.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startServer } from '../../src/core/index.js';
import { startColourUpstream, TILE_PATHS, tilePaths } from '../helpers/colour-upstream.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { seedWith } from '../helpers/palette-seed.js';
import { startRedis } from '../helpers/redis-server.js';
import { needs } from '../helpers/system-programs.js';
import { startUpstream } from '../helpers/upstream.js';

const FIXTURE = join(FIXTURES_DIR, 'mapproxy-1.15/reverse-caches');

interface Capture {
  readonly seedRequests: number;
  readonly upstreamRequestsWhileServing: number;
  readonly tiles: Readonly<Record<string, { status: number; sha256: string; equalsOurs: boolean }>>;
}

/** Seeds `config` with our seed, serves it with an upstream that fails on any request, compares. */
async function servesAsMapProxyDid(
  t: TestContext,
  files: { config: string; seed: string; capture: string },
  paths: readonly string[],
  vars: Readonly<Record<string, string>> = {},
): Promise<void> {
  const expected = JSON.parse(await readFile(join(FIXTURE, files.capture), 'utf8')) as Capture;
  // what the capture shows of MapProxy
  assert.equal(expected.upstreamRequestsWhileServing, 0);
  assert.deepEqual(Object.keys(expected.tiles), paths);
  for (const [path, tile] of Object.entries(expected.tiles)) {
    assert.equal(tile.status, 200, path);
    assert.ok(tile.equalsOurs, `MapProxy answered ${path} as we did`);
  }

  // 1. our seed, from the same upstream
  const colours = await startColourUpstream();
  t.after(() => colours.close());
  const dir = await makeTempDir(t, 'reverse-caches-');
  let yaml = await readFile(join(FIXTURE, files.config), 'utf8');
  for (const [key, value] of Object.entries(vars)) yaml = yaml.replaceAll(`\${${key}}`, value);
  await writeFile(join(dir, 'mapproxy.yaml'), yaml.replaceAll('${UPSTREAM_URL}', colours.url));
  await seedWith(dir, await readFile(join(FIXTURE, files.seed), 'utf8'));
  assert.equal(colours.count(), expected.seedRequests);

  // 2. served from what it wrote, with an upstream that fails the test on any request
  const dead = await startUpstream(t);
  await writeFile(join(dir, 'mapproxy.yaml'), yaml.replaceAll('${UPSTREAM_URL}', dead.url));
  const server = await startServer({
    configFile: join(dir, 'mapproxy.yaml'),
    bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
  });
  t.after(() => server.close());
  for (const path of paths) {
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
}

test('file-based caches our seed writes are the caches MapProxy 1.15 served, tile for tile, without an upstream', async (t) => {
  await servesAsMapProxyDid(
    t,
    { config: 'mapproxy.yaml', seed: 'seed.yaml', capture: 'expected.json' },
    TILE_PATHS,
  );
});

test(
  'a redis cache our seed writes is the cache MapProxy 1.15 served, tile for tile, without an upstream',
  { skip: needs('redis-server') },
  async (t) => {
    const redis = await startRedis(t);
    await servesAsMapProxyDid(
      t,
      { config: 'redis.yaml', seed: 'redis.seed.yaml', capture: 'expected-redis.json' },
      tilePaths('rd'),
      { REDIS_PORT: String(redis.port) },
    );
  },
);
