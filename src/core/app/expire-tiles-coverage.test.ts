/** Expire tile files as MapProxy 1.15 `load_expire_tiles` reads them, and the coverage they give. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { getSrs } from '../srs/index.js';
import { loadExpireTiles } from './expire-tiles.js';
import { loadCoverage } from './load-coverage.js';

const HALF = 20037508.342789244;
/** bbox equality within 1e-6 m (tile math rounds as MapProxy does). */
function assertBBox(actual: readonly number[], expected: readonly number[]): void {
  assert.equal(actual.length, expected.length);
  for (const [i, v] of expected.entries())
    assert.ok(Math.abs((actual[i] ?? NaN) - v) < 1e-6, `${String(actual)} != ${String(expected)}`);
}
async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'expire-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a file gives the union of its web mercator tiles (origin nw) in EPSG:3857', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'tiles'), '1/0/0\n1/1/0\n1/1/0\n');
  const coverage = await loadExpireTiles(join(dir, 'tiles'));
  const mercator = getSrs('EPSG:3857');
  assertBBox(coverage.extent(mercator), [-HALF, 0, HALF, HALF]);
  assert.equal(coverage.contains([-HALF, 1, HALF, HALF], mercator), true);
  assert.equal(coverage.intersects([-10, -20, 10, -1], mercator), false);
});

test('a box that only touches the tiles intersects them, as shapely intersects', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'tiles'), '1/0/0\n');
  const coverage = await loadExpireTiles(join(dir, 'tiles'));
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
  const coverage = await loadCoverage({ expire_tiles: dir });
  const mercator = getSrs('EPSG:3857');
  assertBBox(coverage.extent(mercator), [-HALF, -HALF, HALF, HALF]);
  // 0/0/0 after the empty line would cover the middle of the world
  assert.equal(coverage.intersects([-1000, -1000, 1000, 1000], mercator), false);
});

test('a missing path is a SeedError naming it', async (t) => {
  const dir = await tempDir(t);
  const missing = join(dir, 'nope.tiles');
  await assert.rejects(loadCoverage({ expire_tiles: missing }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'SEED_COVERAGE');
    assert.match(error.message, /nope\.tiles/);
    return true;
  });
});

test('a line that is not three numbers, or a level outside 0-19, is a SeedError', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'short'), '1/0/0\n1/2\n');
  await assert.rejects(loadExpireTiles(join(dir, 'short')), {
    code: 'SEED_COVERAGE',
    message: /short:2: .*not z\/x\/y/,
  });
  await writeFile(join(dir, 'deep'), '20/0/0\n');
  await assert.rejects(loadExpireTiles(join(dir, 'deep')), {
    code: 'SEED_COVERAGE',
    message: /level not in 0-19/,
  });
});

test('no tiles at all is an empty coverage (MapProxy EmptyGeometryError)', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'empty'), '');
  await assert.rejects(loadExpireTiles(join(dir, 'empty')), { code: 'GRID_EMPTY_COVERAGE' });
});
