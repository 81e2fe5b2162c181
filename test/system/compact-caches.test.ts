/**
 * The compact cache backend (ArcGIS bundles v1 and v2) end to end over real sockets: bundles that
 * MapProxy 1.15 `mapproxy-seed` wrote are served byte for byte without an upstream request and
 * without changing the files; a miss is created and stored in the bundle, a hit needs no upstream
 * request, and `seed` fills the bundles.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { runSeed } from '../../src/core/index.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { solidPng, startUpstream, type Upstream, type UpstreamRequest } from '../helpers/upstream.js';

interface Layout {
  readonly layer: 'c1' | 'c2';
  readonly version: 1 | 2;
}

const LAYOUTS: readonly Layout[] = [
  { layer: 'c1', version: 1 },
  { layer: 'c2', version: 2 },
];

/**
 * Tile (x, y) of level z read straight from the bundle in `dir` (written independently of the
 * backend from MapProxy's compact.py): v1 `.bundlx` 5-byte offsets column-major, size before the
 * data; v2 8-byte entries row-major in the `.bundle`, size in the top 24 bits.
 */
function bundleTile(dir: string, version: 1 | 2, z: number, x: number, y: number): Buffer | null {
  const base = join(dir, `L${String(z).padStart(2, '0')}`, 'R0000C0000');
  if (!existsSync(`${base}.bundle`)) return null;
  const bundle = readFileSync(`${base}.bundle`);
  if (version === 1) {
    const offset = readFileSync(`${base}.bundlx`).readUIntLE(16 + (x * 128 + y) * 5, 5);
    const size = offset === 0 ? 0 : bundle.readUInt32LE(offset);
    return size === 0 ? null : bundle.subarray(offset + 4, offset + 4 + size);
  }
  const entry = bundle.readBigUInt64LE(64 + (x + 128 * y) * 8);
  const size = Number(entry >> 40n);
  const offset = Number(entry & (2n ** 40n - 1n));
  return size === 0 ? null : bundle.subarray(offset, offset + size);
}

/** Every stored tile of levels 0..levels-1 as `z/x/y`. */
function bundleTiles(dir: string, version: 1 | 2, levels: number): Map<string, Buffer> {
  const all = new Map<string, Buffer>();
  for (let z = 0; z < levels; z++) {
    for (let x = 0; x < 2 ** z; x++) {
      for (let y = 0; y < 2 ** z; y++) {
        const data = bundleTile(dir, version, z, x, y);
        if (data !== null) all.set(`${z}/${x}/${y}`, data);
      }
    }
  }
  return all;
}

const cacheDir = (root: string, layout: Layout): string =>
  layout.version === 1 ? join(root, 'cache_data/c1/GLOBAL_WEBMERCATOR') : join(root, 'cache_data/c2');

const MAPPROXY = 'mapproxy-1.15/compact-caches';
const mapproxyData = join(FIXTURES_DIR, MAPPROXY, 'cache_data');
const mapproxyDir = (layout: Layout): string =>
  layout.version === 1 ? join(mapproxyData, 'c1_cache/GLOBAL_WEBMERCATOR') : join(mapproxyData, 'c2');

async function startWms(t: TestContext): Promise<Upstream> {
  return startUpstream(t, {
    '/service': (request: UpstreamRequest) => {
      const bbox = (request.query.get('bbox') ?? '').split(',').map(Number);
      const shade = Math.abs(Math.round((bbox[0] ?? 0) / 1e5)) % 256;
      return solidPng(
        [shade, 80, 200, 255],
        [Number(request.query.get('width')), Number(request.query.get('height'))],
      );
    },
  });
}

for (const layout of LAYOUTS) {
  test(`${layout.layer}: bundles MapProxy 1.15 wrote are served byte for byte, without an upstream request`, async (t) => {
    const upstream = await startUpstream(t); // no routes: any request fails the test
    const proxy = await startProxy(t, `${MAPPROXY}/mapproxy.yaml`, {
      UPSTREAM_URL: upstream.url,
      SOURCE: 'up',
    });
    const dir = join(proxy.dir, 'cache_data');
    await cp(mapproxyData, dir, { recursive: true });
    const served = layout.version === 1 ? join(dir, 'c1_cache/GLOBAL_WEBMERCATOR') : join(dir, 'c2');
    for (let z = 0; z <= 2; z++) {
      for (let x = 0; x < 2 ** z; x++) {
        for (let y = 0; y < 2 ** z; y++) {
          // GLOBAL_WEBMERCATOR's origin is top left: the WMTS row is the stored row
          const res = await fetch(`${proxy.url}/wmts/${layout.layer}/GLOBAL_WEBMERCATOR/${z}/${x}/${y}.png`);
          assert.equal(res.status, 200, `${z}/${x}/${y}`);
          const expected = bundleTile(mapproxyDir(layout), layout.version, z, x, y);
          assert.ok(expected?.equals(Buffer.from(await res.arrayBuffer())), `${z}/${x}/${y} as stored`);
        }
      }
    }
    assert.equal(upstream.requests.length, 0);
    for (let z = 0; z <= 2; z++) {
      for (const ext of layout.version === 1 ? ['bundle', 'bundlx'] : ['bundle']) {
        const file = join(`L0${z}`, `R0000C0000.${ext}`);
        assert.ok(
          (await readFile(join(served, file))).equals(await readFile(join(mapproxyDir(layout), file))),
          `${file} unchanged`,
        );
      }
    }
  });

  test(`${layout.layer}: a miss is created and stored in the bundle, hits need no upstream request`, async (t) => {
    const upstream = await startWms(t);
    const proxy = await startProxy(t, 'compact-caches/mapproxy.yaml', {
      UPSTREAM_URL: upstream.url,
      CACHE_DIR: './cache_data',
    });
    const first = await fetch(`${proxy.url}/wmts/${layout.layer}/GLOBAL_WEBMERCATOR/2/1/1.png`);
    assert.equal(first.status, 200);
    const body = Buffer.from(await first.arrayBuffer());
    assert.equal(upstream.requests.length, 1);
    const stored = bundleTiles(cacheDir(proxy.dir, layout), layout.version, 3);
    assert.deepEqual([...stored.keys()].sort(), ['2/0/0', '2/0/1', '2/1/0', '2/1/1'], 'the 2x2 meta tile');
    assert.ok(stored.get('2/1/1')?.equals(body), 'the stored tile is the one served');
    for (const path of ['2/1/1', '2/0/0', '2/1/0', '2/0/1']) {
      const res = await fetch(`${proxy.url}/wmts/${layout.layer}/GLOBAL_WEBMERCATOR/${path}.png`);
      assert.equal(res.status, 200, path);
      assert.ok(stored.get(path)?.equals(Buffer.from(await res.arrayBuffer())), `${path} as stored`);
    }
    assert.equal(upstream.requests.length, 1, 'hits reached no upstream');
  });

  test(`${layout.layer}: seed fills the bundles, which are then served without upstream requests`, async (t) => {
    const upstream = await startWms(t);
    const dir = await makeTempDir(t, 'compact-caches-');
    const yaml = await readFile(join(FIXTURES_DIR, 'compact-caches/mapproxy.yaml'), 'utf8');
    await writeFile(
      join(dir, 'mapproxy.yaml'),
      yaml.replaceAll('${UPSTREAM_URL}', upstream.url).replaceAll('${CACHE_DIR}', join(dir, 'cache_data')),
    );
    await cp(join(FIXTURES_DIR, 'compact-caches/seed.yaml'), join(dir, 'seed.yaml'));
    const result = await runSeed({
      proxyConfigFile: join(dir, 'mapproxy.yaml'),
      seedConfigFile: join(dir, 'seed.yaml'),
      seeds: [layout.layer],
      concurrency: 4,
    });
    assert.equal(result.failureCount, 0);
    // 2x2 meta tiles for levels 0-3: 1 + 1 + 4 + 16
    assert.equal(upstream.requests.length, 22);
    const stored = bundleTiles(cacheDir(dir, layout), layout.version, 4);
    assert.equal(stored.size, 85);
    for (const [key, data] of stored) assert.equal((await sharp(data).metadata()).format, 'png', key);

    const proxy = await startProxy(t, 'compact-caches/mapproxy.yaml', {
      UPSTREAM_URL: upstream.url,
      CACHE_DIR: join(dir, 'cache_data'),
    });
    for (const path of ['0/0/0', '3/7/7', '3/2/5']) {
      const res = await fetch(`${proxy.url}/wmts/${layout.layer}/GLOBAL_WEBMERCATOR/${path}.png`);
      assert.equal(res.status, 200, path);
      assert.ok(stored.get(path)?.equals(Buffer.from(await res.arrayBuffer())), path);
    }
    assert.equal(upstream.requests.length, 22);
  });
}
