/**
 * `expire_tiles` coverages: the files as MapProxy 1.15 `load_expire_tiles` reads them, the coverage
 * they give, and where their problems are reported (the same for mapproxy.yaml and seed.yaml).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Coverage } from '../grid/index.js';
import { getSrs } from '../srs/index.js';
import { coverageFromConfig, seedingCoverage, type CoverageFailure } from './coverage-from-config.js';

const HALF = 20037508.342789244;
/** bbox equality within 1e-6 m (tile math rounds as MapProxy does). */
function assertBBox(actual: readonly number[], expected: readonly number[]): void {
  assert.equal(actual.length, expected.length);
  for (const [i, v] of expected.entries())
    assert.ok(Math.abs((actual[i] ?? NaN) - v) < 1e-6, `${String(actual)} != ${String(expected)}`);
}
/** Reports as `<key>: <message>`, so tests see the key a problem belongs to. */
const fail: CoverageFailure = (path, message) => new Error(`${path.join('.')}: ${message}`);
function loadExpireTiles(path: string): Coverage {
  return coverageFromConfig({ expire_tiles: path }, fail);
}
async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'expire-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a file gives the union of its web mercator tiles (origin nw) in EPSG:3857', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'tiles'), '1/0/0\n1/1/0\n1/1/0\n');
  const coverage = loadExpireTiles(join(dir, 'tiles'));
  const mercator = getSrs('EPSG:3857');
  assertBBox(coverage.extent(mercator), [-HALF, 0, HALF, HALF]);
  assert.equal(coverage.contains([-HALF, 1, HALF, HALF], mercator), true);
  assert.equal(coverage.intersects([-10, -20, 10, -1], mercator), false);
});

test('a box that only touches the tiles intersects them, as shapely intersects', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'tiles'), '1/0/0\n');
  const coverage = loadExpireTiles(join(dir, 'tiles'));
  const mercator = getSrs('EPSG:3857');
  assert.equal(coverage.intersects([0, 0, 10, 10], mercator), true);
  assert.equal(coverage.intersects([1, 1, 10, 10], mercator), false);
  assert.equal(coverage.intersects([-10, 10, -5, 20], getSrs('EPSG:4326')), true);
});

test('a directory is read recursively; a bad line skips only the rest of its file', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'a/b'), { recursive: true });
  await writeFile(join(dir, 'a/one.tiles'), '2/0/0\n');
  await writeFile(join(dir, 'a/b/two'), '2/3/3\n\n0/0/0\n');
  const coverage = loadExpireTiles(dir);
  const mercator = getSrs('EPSG:3857');
  assertBBox(coverage.extent(mercator), [-HALF, -HALF, HALF, HALF]);
  // 0/0/0 after the empty line would cover the middle of the world
  assert.equal(coverage.intersects([-1000, -1000, 1000, 1000], mercator), false);
});

test('a missing path is reported at expire_tiles, naming it', async (t) => {
  const dir = await tempDir(t);
  assert.throws(() => loadExpireTiles(join(dir, 'nope.tiles')), /^Error: expire_tiles: .*nope\.tiles/);
});

test('a line that is not three numbers, or a level outside 0-19, is reported at expire_tiles', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'short'), '1/0/0\n1/2\n');
  assert.throws(() => loadExpireTiles(join(dir, 'short')), /^Error: expire_tiles: .*short:2: .*not z\/x\/y/);
  await writeFile(join(dir, 'deep'), '20/0/0\n');
  assert.throws(() => loadExpireTiles(join(dir, 'deep')), /^Error: expire_tiles: .*level not in 0-19/);
});

test('no tiles at all is an empty coverage: a failure, and no coverage for seeding (MapProxy skips the task)', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'empty'), '');
  assert.throws(
    () => loadExpireTiles(join(dir, 'empty')),
    /^Error: expire_tiles: coverage contains no geometries/,
  );
  assert.equal(seedingCoverage({ expire_tiles: join(dir, 'empty') }, fail), null);
});
