/**
 * The mbtiles, sqlite and geopackage backends end to end over real sockets: a miss is created and
 * stored in the SQLite file, a hit needs no upstream request, `seed` fills the file, and a seeding
 * process writing while another seed and the server write too loses no tile.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { runSeed } from '../../src/core/index.js';
import { CLI_ARGV } from '../helpers/cli.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import {
  deferred,
  solidPng,
  startUpstream,
  type Upstream,
  type UpstreamRequest,
} from '../helpers/upstream.js';


interface Backend {
  readonly name: 'mb' | 'sq' | 'gp';
  /** Every stored tile as `z/x/y`, read straight from the backend's files under `dir`. */
  readonly tiles: (dir: string, levels: number) => Map<string, Buffer>;
}

function readTiles(file: string, table: string): Map<string, Buffer> {
  if (!existsSync(file)) return new Map();
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare(`SELECT zoom_level z, tile_column x, tile_row y, tile_data d FROM [${table}]`)
      .all() as {
      z: number;
      x: number;
      y: number;
      d: Buffer;
    }[];
    return new Map(rows.map((r) => [`${r.z}/${r.x}/${r.y}`, r.d]));
  } finally {
    db.close();
  }
}

const BACKENDS: readonly Backend[] = [
  { name: 'mb', tiles: (dir) => readTiles(join(dir, 'cache_data/mb.mbtiles'), 'tiles') },
  {
    name: 'sq',
    tiles: (dir, levels) => {
      const all = new Map<string, Buffer>();
      for (let z = 0; z < levels; z++) {
        for (const [k, v] of readTiles(join(dir, `cache_data/sq/GLOBAL_WEBMERCATOR/${z}.mbtile`), 'tiles'))
          all.set(k, v);
      }
      return all;
    },
  },
  { name: 'gp', tiles: (dir) => readTiles(join(dir, 'cache_data/gp.gpkg'), 'gp_GLOBAL_WEBMERCATOR') },
];

/**
 * A WMS answering each GetMap with a colour of its bbox, so neighbouring meta tiles differ. With
 * `holdFirst`, the first request waits for a second one, so two writers are surely at work at once.
 */
async function startWms(t: TestContext, holdFirst = false): Promise<Upstream> {
  const second = deferred();
  const upstream: Upstream = await startUpstream(t, {
    '/service': async (request: UpstreamRequest) => {
      if (upstream.requests.length >= 2) second.resolve();
      else if (holdFirst) await second.promise;
      const bbox = (request.query.get('bbox') ?? '').split(',').map(Number);
      const shade = Math.abs(Math.round((bbox[0] ?? 0) / 1e5)) % 256;
      return solidPng(
        [shade, 80, 200, 255],
        [Number(request.query.get('width')), Number(request.query.get('height'))],
      );
    },
  });
  return upstream;
}

async function fixtureDir(t: TestContext, upstreamUrl: string): Promise<string> {
  const dir = await makeTempDir(t, 'sqlite-caches-');
  const yaml = await readFile(join(FIXTURES_DIR, 'sqlite-caches/mapproxy.yaml'), 'utf8');
  const filled = yaml
    .replaceAll('${UPSTREAM_URL}', upstreamUrl)
    .replaceAll('${CACHE_DIR}', join(dir, 'cache_data'));
  await writeFile(join(dir, 'mapproxy.yaml'), filled);
  await cp(join(FIXTURES_DIR, 'sqlite-caches/seed.yaml'), join(dir, 'seed.yaml'));
  return dir;
}

/** 1 + 4 + 16 + 64 tiles for levels 0-3. */
const SEEDED_TILES = 85;
/** Meta tiles of 2x2: 1 + 1 + 4 + 16. */
const SEEDED_META_TILES = 22;

for (const backend of BACKENDS) {
  test(`${backend.name}: a miss is created and stored, hits need no upstream request`, async (t) => {
    const upstream = await startWms(t);
    const proxy = await startProxy(t, 'sqlite-caches/mapproxy.yaml', {
      UPSTREAM_URL: upstream.url,
      CACHE_DIR: './cache_data',
    });
    const first = await fetch(`${proxy.url}/wmts/${backend.name}/GLOBAL_WEBMERCATOR/2/1/1.png`);
    assert.equal(first.status, 200);
    const body = Buffer.from(await first.arrayBuffer());
    assert.equal(upstream.requests.length, 1);
    // GLOBAL_WEBMERCATOR's origin is top left: the WMTS row is the stored row
    const stored = backend.tiles(proxy.dir, 3);
    assert.equal(stored.size, 4, 'the whole 2x2 meta tile is stored');
    assert.ok(stored.get('2/1/1')?.equals(body), 'the stored tile is the one served');
    for (const path of ['2/1/1', '2/0/0', '2/1/0', '2/0/1']) {
      const res = await fetch(`${proxy.url}/wmts/${backend.name}/GLOBAL_WEBMERCATOR/${path}.png`);
      assert.equal(res.status, 200, path);
      const [, x, y] = path.split('/');
      assert.ok(stored.get(`2/${x}/${y}`)?.equals(Buffer.from(await res.arrayBuffer())), `${path} as stored`);
    }
    assert.equal(upstream.requests.length, 1, 'hits reached no upstream');
  });

  test(`${backend.name}: seed fills the cache, which is then served without upstream requests`, async (t) => {
    const upstream = await startWms(t);
    const dir = await fixtureDir(t, upstream.url);
    const result = await runSeed({
      proxyConfigFile: join(dir, 'mapproxy.yaml'),
      seedConfigFile: join(dir, 'seed.yaml'),
      seeds: [backend.name],
      concurrency: 4,
    });
    assert.equal(result.failureCount, 0);
    assert.equal(upstream.requests.length, SEEDED_META_TILES);
    const stored = backend.tiles(dir, 4);
    assert.equal(stored.size, SEEDED_TILES);
    for (const [key, data] of stored) assert.equal((await sharp(data).metadata()).format, 'png', key);

    const proxy = await startProxy(t, 'sqlite-caches/mapproxy.yaml', {
      UPSTREAM_URL: upstream.url,
      CACHE_DIR: join(dir, 'cache_data'),
    });
    for (const path of ['0/0/0', '3/7/7', '3/2/5']) {
      const res = await fetch(`${proxy.url}/wmts/${backend.name}/GLOBAL_WEBMERCATOR/${path}.png`);
      assert.equal(res.status, 200, path);
      assert.ok(stored.get(path)?.equals(Buffer.from(await res.arrayBuffer())), path);
    }
    assert.equal(upstream.requests.length, SEEDED_META_TILES);
  });

  test(`${backend.name}: a seeding process, an in-process seed and the server write at once and lose no tile`, async (t) => {
    const upstream = await startWms(t, true);
    const dir = await fixtureDir(t, upstream.url);
    // the server, the seeding process and the in-process seed share one cache directory (and its tile locks)
    const proxy = await startProxy(t, 'sqlite-caches/mapproxy.yaml', {
      UPSTREAM_URL: upstream.url,
      CACHE_DIR: join(dir, 'cache_data'),
    });
    const configFile = join(dir, 'mapproxy.yaml');
    const child = spawn(
      process.execPath,
      [
        ...CLI_ARGV,
        'seed',
        '-f',
        'mapproxy.yaml',
        '-s',
        'seed.yaml',
        '--seed',
        backend.name,
        '-c',
        '4',
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    t.after(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // the child's first meta tile is held until the in-process seed or the server asks for one too
    await upstream.waitForRequests(1);
    const seeded = runSeed({
      proxyConfigFile: configFile,
      seedConfigFile: join(dir, 'seed.yaml'),
      seeds: [backend.name],
      concurrency: 4,
    });
    const served = (async () => {
      for (let x = 0; x < 8; x++) {
        for (let y = 0; y < 8; y += 2) {
          const res = await fetch(`${proxy.url}/wmts/${backend.name}/GLOBAL_WEBMERCATOR/3/${x}/${y}.png`);
          assert.equal(res.status, 200, `3/${x}/${y}`);
          await res.arrayBuffer();
        }
      }
    })();
    const [code, result] = await Promise.all([exited, seeded, served]);
    assert.equal(code, 0, stderr);
    assert.equal(result.failureCount, 0);
    assert.doesNotMatch(stderr, /could not store|locked/i);
    const stored = backend.tiles(dir, 4);
    assert.equal(stored.size, SEEDED_TILES, 'every tile is stored');
    for (const [key, data] of stored) assert.equal((await sharp(data).metadata()).format, 'png', key);
  });
}
