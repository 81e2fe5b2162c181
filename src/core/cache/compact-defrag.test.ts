/**
 * Compact bundle defragmentation against MapProxy 1.15: bundles that gained dead space by
 * overwriting tiles are rewritten byte for byte as MapProxy's `defrag_compact_cache` rewrote the
 * same bundles (sha256 pinned from a capture), with the fragmentation MapProxy logged; bundles
 * below the thresholds and dry runs are left alone, and a store racing the rewrite is kept.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import { CompactCache, type CompactVersion } from './compact-cache.js';
import { defragCompactCache, type BundleReport } from './compact-defrag.js';

/** Deterministic tile bytes: `n` bytes of an LCG seeded with `seed`. */
function tileBytes(seed: number, n: number): Buffer {
  const out = Buffer.alloc(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** Level 0: one tile written once. Level 1: four tiles written four times, then (1, 1) removed. */
async function fragmentedCache(directory: string, version: CompactVersion): Promise<CompactCache> {
  const cache = new CompactCache({ directory, version });
  await cache.storeTiles([{ coord: { x: 0, y: 0, z: 0 }, data: tileBytes(1, 5000) }]);
  for (let round = 0; round < 4; round++) {
    await cache.storeTiles(
      [0, 1].flatMap((x) =>
        [0, 1].map((y) => ({
          coord: { x, y, z: 1 },
          data: tileBytes(100 * round + 10 * x + y, 20000 + 1000 * round + x + y),
        })),
      ),
    );
  }
  await cache.removeTile({ x: 1, y: 1, z: 1 });
  return cache;
}

async function sha256s(directory: string): Promise<Record<string, string>> {
  const files = (await readdir(directory, { recursive: true })).filter((f) => /\.bundl[ex]$/.test(f)).sort();
  const hashes: Record<string, string> = {};
  for (const file of files)
    hashes[file] = createHash('sha256')
      .update(await readFile(join(directory, file)))
      .digest('hex');
  return hashes;
}

/** The files MapProxy 1.15's defrag_compact_cache(min_percent=0.1, min_bytes=50 KiB) left. */
const MAPPROXY: Readonly<Record<CompactVersion, { hashes: Record<string, string>; fragmentation: number }>> =
  {
    1: {
      fragmentation: 0.6714232710727501,
      hashes: {
        'L00/R0000C0000.bundle': '0f7b7ff92cf1909c25b2930e96ff25dde4be6fa34992d3155a21a1fa565d8667',
        'L00/R0000C0000.bundlx': 'bb1a4b0d3f4dd63e5f1d08648149afa123a30a61452109d398db53ce2be8e01b',
        'L01/R0000C0000.bundle': '81a1f42076645f56d67198caa629782fcfa17bca09e5b546c8aa8f0425146873',
        'L01/R0000C0000.bundlx': '34ab270c169250a31490c81616a80a89c0341693fe0bd374c7b2de0f36cab555',
      },
    },
    2: {
      fragmentation: 0.5788231035992054,
      hashes: {
        'L00/R0000C0000.bundle': '9f298ae594a3f09fde44b071b881760c01caa8fabdb4672a1ffe04c2c5581613',
        'L01/R0000C0000.bundle': '0d0d1170c6dc0de652ae9c68eebd0e3e68736df6c0ba071e3ca66da1c1675272',
      },
    },
  };

for (const version of [1, 2] as const) {
  test(`v${String(version)}: rewrites the fragmented bundle as MapProxy does and skips the other`, async (t) => {
    const dir = await makeTempDir(t);
    const cache = await fragmentedCache(dir, version);
    const before = await sha256s(dir);
    const reports: BundleReport[] = [];
    const dry = await defragCompactCache(cache, {
      minBytes: 50 * 1024,
      dryRun: true,
      onBundle: (r) => reports.push(r),
    });
    assert.equal(dry, 0);
    assert.deepEqual(await sha256s(dir), before, 'a dry run changes nothing');
    assert.deepEqual(
      reports.map((r) => [r.file.slice(dir.length + 1), r.num, r.total, r.fragmentationBytes, r.defrag]),
      [
        ['L00/R0000C0000.bundle', 1, 2, 0, false],
        ['L01/R0000C0000.bundle', 2, 2, 275066, true],
      ],
    );
    assert.equal(reports[1]?.fragmentation, MAPPROXY[version].fragmentation);

    const sizeBefore = (await stat(join(dir, 'L01/R0000C0000.bundle'))).size;
    assert.equal(await defragCompactCache(cache, { minBytes: 50 * 1024 }), 1);
    assert.deepEqual(await sha256s(dir), MAPPROXY[version].hashes);
    assert.equal((await stat(join(dir, 'L01/R0000C0000.bundle'))).size, sizeBefore - 275066);
    const tiles = await cache.loadTiles([
      { x: 0, y: 0, z: 1 },
      { x: 1, y: 0, z: 1 },
      { x: 1, y: 1, z: 1 },
    ]);
    assert.deepEqual(tiles[0]?.data, tileBytes(300, 23000));
    assert.deepEqual(tiles[1]?.data, tileBytes(310, 23001));
    assert.equal(tiles[2], null);
    assert.deepEqual(await readdir(dir), ['L00', 'L01'], 'no temporary directory is left');
    // nothing left to gain
    assert.equal(await defragCompactCache(cache, { minFraction: 0, minBytes: 1 }), 0);
  });
}

test('a tile stored while its bundle is rewritten is kept', async (t) => {
  const dir = await makeTempDir(t);
  const cache = await fragmentedCache(dir, 2);
  const late = { coord: { x: 5, y: 7, z: 1 }, data: tileBytes(7, 3000) };
  await Promise.all([defragCompactCache(cache, { minBytes: 1 }), cache.storeTiles([late])]);
  assert.deepEqual((await cache.loadTile(late.coord))?.data, late.data);
  assert.deepEqual((await cache.loadTile({ x: 0, y: 1, z: 1 }))?.data, tileBytes(301, 23001));
});

for (const version of [1, 2] as const) {
  test(`v${String(version)}: a reader during defragmentation always gets the stored tile`, async (t) => {
    const dir = await makeTempDir(t);
    const writer = new CompactCache({ directory: dir, version });
    // a second instance, as a server process reading the cache the defrag command rewrites
    const reader = new CompactCache({ directory: dir, version });
    const tiles = [0, 1, 2, 3].flatMap((x) =>
      [0, 1, 2, 3].map((y) => ({ coord: { x, y, z: 3 }, data: tileBytes(10 * x + y, 3000 + 97 * x + 13 * y) })),
    );
    await writer.storeTiles(tiles);
    let running = true;
    let reads = 0;
    const wrong: string[] = [];
    const readLoop = async (): Promise<void> => {
      while (running) {
        for (const { coord, data } of tiles) {
          const tile = await reader.loadTile(coord);
          reads += 1;
          if (tile === null || !tile.data.equals(data))
            wrong.push(`${JSON.stringify(coord)}: ${tile === null ? 'missing' : `${String(tile.data.length)} other bytes`}`);
        }
      }
    };
    const readers = [readLoop(), readLoop(), readLoop(), readLoop()];
    // 15 rounds suffice: the v1 reader without the marker check (6c44c3b^) got 30 to 155 wrong
    // reads in 15 rounds in each of four runs (60 rounds cost four times the CPU for no more proof)
    const rounds = 15;
    for (let round = 0; round < rounds; round++) {
      // the same bytes again: the old copies become dead space, so the rewrite moves every tile
      await writer.storeTiles(tiles);
      assert.equal(await defragCompactCache(writer, { minFraction: 0, minBytes: 0 }), 1);
    }
    running = false;
    await Promise.all(readers);
    assert.ok(reads > rounds * tiles.length, `only ${String(reads)} reads`);
    assert.deepEqual(wrong.slice(0, 5), [], `${String(wrong.length)} of ${String(reads)} reads were wrong`);
  });
}

test('v1: the marker of a defrag that died (no bundle lock) does not hold readers back', async (t) => {
  const dir = await makeTempDir(t);
  const cache = new CompactCache({ directory: dir, version: 1 });
  const tile = { coord: { x: 3, y: 4, z: 2 }, data: tileBytes(5, 4000) };
  await cache.storeTiles([tile]);
  await writeFile(join(dir, 'L02/R0000C0000.defrag'), '');
  const started = performance.now();
  assert.deepEqual((await cache.loadTile(tile.coord))?.data, tile.data);
  assert.ok(performance.now() - started < 1000, 'read at once');
});
