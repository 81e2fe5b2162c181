import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { childImport } from '../../../test/helpers/dist.js';
import {
  bundleBase,
  CompactCache,
  defragMarker,
  emptyBundleV1,
  emptyBundleV2,
  emptyIndexV1,
} from './compact-cache.js';
import type { TileToStore } from './types.js';

/** What the killed writer process imports: the built module when dist/ is current. */
const COMPACT_CACHE = childImport(fileURLToPath(new URL('./compact-cache.ts', import.meta.url)));

const FIXTURE = fileURLToPath(
  new URL('../../../test/fixtures/mapproxy-1.15/compact-caches/cache_data/', import.meta.url),
);
const V1_DIR = join(FIXTURE, 'c1_cache', 'GLOBAL_WEBMERCATOR');
const V2_DIR = join(FIXTURE, 'c2');

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'compact-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const tile = (x: number, y: number, z: number, text: string): TileToStore => ({
  coord: { x, y, z },
  data: Buffer.from(text),
});

test("bundle names are MapProxy's: L<zz>/R<row hex>C<column hex>, 128 tiles a side", () => {
  assert.equal(bundleBase('/c', { x: 5, y: 7, z: 3 }).base, '/c/L03/R0000C0000');
  assert.deepEqual(bundleBase('/c', { x: 300, y: 129, z: 12 }), {
    base: '/c/L12/R0080C0100',
    column: 256,
    row: 128,
  });
});

test('empty bundles and indexes are byte for byte the ones MapProxy creates', async () => {
  // the fixture bundles of level 0 hold one tile: their unused parts are MapProxy's empty layout
  const v1Index = await readFile(join(V1_DIR, 'L00', 'R0000C0000.bundlx'));
  const empty = emptyIndexV1();
  assert.equal(v1Index.length, empty.length);
  assert.ok(v1Index.subarray(21).equals(empty.subarray(21)), 'v1 index beyond tile (0, 0)');
  const v1Bundle = await readFile(join(V1_DIR, 'L00', 'R0000C0000.bundle'));
  const emptyV1 = emptyBundleV1(0, 0);
  assert.ok(v1Bundle.subarray(64, emptyV1.length).equals(emptyV1.subarray(64)), 'v1 size slots');
  assert.ok(v1Bundle.subarray(32, 60).equals(emptyV1.subarray(32, 60)), 'v1 header extent');
  const v2Bundle = await readFile(join(V2_DIR, 'L00', 'R0000C0000.bundle'));
  const emptyV2 = emptyBundleV2();
  assert.ok(
    v2Bundle.subarray(72, emptyV2.length).equals(emptyV2.subarray(72)),
    'v2 index beyond tile (0, 0)',
  );
  assert.ok(v2Bundle.subarray(32, 64).equals(emptyV2.subarray(32, 64)), 'v2 header');
});

for (const version of [1, 2] as const) {
  const fixtureDir = version === 1 ? V1_DIR : V2_DIR;

  test(`v${version}: reads every tile MapProxy 1.15 wrote, and writing them again yields MapProxy's files`, async (t) => {
    const mapproxy = new CompactCache({ directory: fixtureDir, version });
    const dir = await tempDir(t);
    const ours = new CompactCache({ directory: dir, version });
    for (let z = 0; z <= 2; z++) {
      const n = 2 ** z;
      const tiles: TileToStore[] = [];
      for (let x = 0; x < n; x++) {
        for (let y = 0; y < n; y++) {
          const found = await mapproxy.loadTile({ x, y, z });
          assert.ok(found, `${x} ${y} ${z}`);
          assert.equal(found.data.subarray(1, 4).toString(), 'PNG');
          tiles.push({ coord: { x, y, z }, data: found.data });
        }
      }
      assert.equal(await mapproxy.loadTile({ x: n, y: 0, z }), null, 'outside the seeded tiles');
      // store in the order MapProxy appended them (data offset order): the files must be identical
      const bundle = await readFile(join(fixtureDir, `L0${z}`, 'R0000C0000.bundle'));
      const order = tiles.map((t) => ({ t, at: bundle.indexOf(t.data) })).sort((a, b) => a.at - b.at);
      await ours.storeTiles(order.map(({ t }) => t));
      for (const name of await readdir(join(fixtureDir, `L0${z}`))) {
        const expected = await readFile(join(fixtureDir, `L0${z}`, name));
        assert.ok(expected.equals(await readFile(join(dir, `L0${z}`, name))), `L0${z}/${name} identical`);
      }
    }
  });

  test(`v${version}: store, overwrite, remove; a missing bundle is a miss and creates nothing`, async (t) => {
    const dir = await tempDir(t);
    const cache = new CompactCache({ directory: dir, version });
    assert.equal(await cache.loadTile({ x: 1, y: 2, z: 3 }), null);
    assert.equal(await cache.isCached({ x: 1, y: 2, z: 3 }), false);
    assert.deepEqual(await readdir(dir), []);
    await cache.storeTiles([tile(1, 2, 3, 'a'), tile(2, 1, 3, 'bb'), tile(200, 130, 9, 'far')]);
    assert.equal((await cache.loadTile({ x: 1, y: 2, z: 3 }))?.data.toString(), 'a');
    assert.equal((await cache.loadTile({ x: 2, y: 1, z: 3 }))?.data.toString(), 'bb');
    assert.equal((await cache.loadTile({ x: 200, y: 130, z: 9 }))?.data.toString(), 'far');
    assert.equal(await cache.loadTile({ x: 2, y: 2, z: 3 }), null);
    await cache.storeTiles([tile(1, 2, 3, 'again')]);
    assert.equal((await cache.loadTile({ x: 1, y: 2, z: 3 }))?.data.toString(), 'again');
    assert.equal(await cache.tileTimestamp({ x: 1, y: 2, z: 3 }), 0);
    await cache.removeTile({ x: 1, y: 2, z: 3 });
    assert.equal(await cache.loadTile({ x: 1, y: 2, z: 3 }), null);
    assert.equal(await cache.tileTimestamp({ x: 1, y: 2, z: 3 }), null);
    await cache.removeTile({ x: 5, y: 5, z: 15 });
    assert.deepEqual(
      (await readdir(join(dir, 'L03'))).sort(),
      version === 1 ? ['R0000C0000.bundle', 'R0000C0000.bundlx'] : ['R0000C0000.bundle'],
    );
  });

  test(`v${version}: data a killed writer appended without its index entry is never served`, async (t) => {
    const dir = await tempDir(t);
    const cache = new CompactCache({ directory: dir, version });
    await cache.storeTiles([tile(0, 0, 1, 'old')]);
    // a writer killed between appending and updating the index leaves bytes nothing points at
    await appendFile(join(dir, 'L01', 'R0000C0000.bundle'), Buffer.from([9, 0, 0, 0, 1, 2]));
    assert.equal((await cache.loadTile({ x: 0, y: 0, z: 1 }))?.data.toString(), 'old');
    await cache.storeTiles([tile(0, 0, 1, 'new'), tile(1, 0, 1, 'other')]);
    assert.equal((await cache.loadTile({ x: 0, y: 0, z: 1 }))?.data.toString(), 'new');
    assert.equal((await cache.loadTile({ x: 1, y: 0, z: 1 }))?.data.toString(), 'other');
  });

  test(`v${version}: the bundle lock a killed writer left behind is taken over once stale`, async (t) => {
    const dir = await tempDir(t);
    const cache = new CompactCache({ directory: dir, version, lockStaleMs: 2000, lockTimeoutMs: 5000 });
    const lock = join(dir, 'L04', 'R0000C0000.lock');
    await mkdir(lock, { recursive: true });
    const past = new Date(Date.now() - 60_000);
    await utimes(lock, past, past);
    await cache.storeTiles([tile(3, 4, 4, 'after')]);
    assert.equal((await cache.loadTile({ x: 3, y: 4, z: 4 }))?.data.toString(), 'after');
    assert.deepEqual(
      (await readdir(join(dir, 'L04'))).filter((f) => f.endsWith('.lock')),
      [],
    );
  });

  test(`v${version}: a writer killed mid-way leaves only complete tiles, and the next writer goes on`, async (t) => {
    const dir = await tempDir(t);
    // tile (x, 0) holds `x:<n>:` and a filler of n bytes, so a torn tile would not match its text
    const script = `
      import { CompactCache } from ${JSON.stringify(pathToFileURL(COMPACT_CACHE.module).href)};
      const cache = new CompactCache({ directory: ${JSON.stringify(dir)}, version: ${version} });
      for (let n = 1; ; n++) {
        const tiles = [];
        for (let x = 0; x < 8; x++) tiles.push({ coord: { x, y: 0, z: 5 }, data: Buffer.concat([Buffer.from(x + ':' + n + ':'), Buffer.alloc(n * 97, n)]) });
        await cache.storeTiles(tiles);
        if (n === 3) process.stdout.write('go');
      }`;
    const child = spawn(
      process.execPath,
      [...COMPACT_CACHE.execArgv, '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    t.after(() => child.kill('SIGKILL'));
    // three rounds stored (or the child died, which the reads below then report)
    await new Promise<void>((resolve) => {
      child.stdout.once('data', () => {
        resolve();
      });
      child.once('exit', () => {
        resolve();
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const exited =
      child.exitCode === null && child.signalCode === null
        ? new Promise((resolve) => child.once('exit', resolve))
        : Promise.resolve();
    child.kill('SIGKILL');
    await exited;
    const cache = new CompactCache({ directory: dir, version, lockStaleMs: 2000, lockTimeoutMs: 10_000 });
    for (let x = 0; x < 8; x++) {
      const found = await cache.loadTile({ x, y: 0, z: 5 });
      assert.ok(found, `tile ${x} stored before the kill`);
      const [tx, n] = found.data.toString('latin1').split(':');
      assert.equal(tx, String(x));
      const expected = Buffer.concat([Buffer.from(`${x}:${n}:`), Buffer.alloc(Number(n) * 97, Number(n))]);
      assert.ok(found.data.equals(expected), `tile ${x} (round ${n}) is complete`);
    }
    await cache.storeTiles([tile(0, 0, 5, 'next')]);
    assert.equal((await cache.loadTile({ x: 0, y: 0, z: 5 }))?.data.toString(), 'next');
  });

  test(`v${version}: concurrent writers of one bundle (two cache objects) lose no tile`, async (t) => {
    const dir = await tempDir(t);
    const a = new CompactCache({ directory: dir, version });
    const b = new CompactCache({ directory: dir, version });
    const writes = [];
    for (let i = 0; i < 24; i++) {
      writes.push((i % 2 === 0 ? a : b).storeTiles([tile(i, 0, 6, `t${i}`), tile(i, 1, 6, `u${i}`)]));
    }
    await Promise.all(writes);
    for (let i = 0; i < 24; i++) {
      assert.equal((await a.loadTile({ x: i, y: 0, z: 6 }))?.data.toString(), `t${i}`);
      assert.equal((await b.loadTile({ x: i, y: 1, z: 6 }))?.data.toString(), `u${i}`);
    }
    assert.deepEqual(
      (await readdir(join(dir, 'L06'))).filter((f) => f.endsWith('.lock')),
      [],
    );
  });
}

test('v1: a defragmentation killed between its renames holds readers back no longer than its life', async (t) => {
  const dir = await tempDir(t);
  const cache = new CompactCache({ directory: dir, version: 1, lockTimeoutMs: 1000 });
  await cache.storeTiles([tile(0, 0, 5, 'kept')]);
  const { base } = bundleBase(dir, { x: 0, y: 0, z: 5 });
  // the defrag's state between its two renames: the marker written under the bundle lock
  const script = `
    import { writeFileSync } from 'node:fs';
    import { CompactCache } from ${JSON.stringify(pathToFileURL(COMPACT_CACHE.module).href)};
    const cache = new CompactCache({ directory: ${JSON.stringify(dir)}, version: 1 });
    await cache.withBundleLock(${JSON.stringify(base)}, async () => {
      writeFileSync(${JSON.stringify(defragMarker(base))}, '');
      process.stdout.write('go');
      await new Promise(() => undefined);
    });`;
  const child = spawn(process.execPath, [...COMPACT_CACHE.execArgv, '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => {
      resolve();
    });
    child.once('exit', () => {
      reject(new Error('the defrag stand-in ended before it locked'));
    });
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  // its lock is fresh (stale after 10 s) but its holder is gone: the read goes ahead (before, it
  // waited lockTimeoutMs and failed: 'stays in the middle of a defragmentation')
  assert.equal((await cache.loadTile({ x: 0, y: 0, z: 5 }))?.data.toString(), 'kept');
});
