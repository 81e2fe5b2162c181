/**
 * One coverage loader for mapproxy.yaml and seed.yaml (MapProxy 1.15 `load_coverage` serves both):
 * a broken coverage gets the same message from `serve-develop`, `seed` and `check`, each at its own
 * file, line, column and key path.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { checkConfig } from '../../src/core/index.js';
import { runCommand } from '../helpers/cli.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';

const VALID = "{ bbox: [-180, -85, 180, 85], srs: 'EPSG:4326' }";

/** A directory with `name` (from test/fixtures/coverage-errors) whose `${COVERAGE}` is `coverage`. */
async function writeFixture(dir: string, name: string, coverage: string): Promise<void> {
  const text = await readFile(join(FIXTURES_DIR, 'coverage-errors', name), 'utf8');
  await writeFile(join(dir, name), text.replaceAll('${COVERAGE}', coverage));
}

async function fixtureDir(t: TestContext, source: string, seed: string): Promise<string> {
  const dir = await makeTempDir(t, 'coverage-errors-');
  await writeFixture(dir, 'mapproxy.yaml', source);
  await writeFixture(dir, 'seed.yaml', seed);
  // a WKT line cut short
  await writeFile(join(dir, 'broken.wkt'), 'POLYGON((0 0, 1 0, 1 1\n');
  await writeFile(join(dir, 'area.wkt'), 'POLYGON((0 0, 1 0, 1 1, 0 0))\n');
  return dir;
}

interface Case {
  readonly coverage: string;
  /** The key path below the coverage section, as messages show it. */
  readonly key: string;
  readonly detail: (dir: string) => string;
  /** Column of the position in mapproxy.yaml (line 17) and seed.yaml (line 8). */
  readonly columns: readonly [number, number];
}

const CASES: readonly Case[] = [
  {
    // MapProxy 1.15: KeyError 'polygons_srs' (srs is not read for polygons) in both files
    coverage: "{ polygons: area.wkt, srs: 'EPSG:4326' }",
    key: 'polygons_srs',
    detail: () => 'coverage needs polygons_srs',
    columns: [15, 8],
  },
  {
    coverage: "{ datasource: broken.wkt, srs: 'EPSG:4326' }",
    key: 'datasource',
    detail: (dir) => `invalid geometry in ${join(dir, 'broken.wkt')}`,
    columns: [29, 22],
  },
  {
    coverage:
      "{ union: [{ bbox: [0, 0, 1, 1], srs: 'EPSG:4326' }, { bbox: [0, 0, 1, 1], srs: 'EPSG:999999' }] }",
    key: 'union[1].srs',
    detail: () => 'unknown coverage srs EPSG:999999',
    columns: [94, 87],
  },
];

for (const { coverage, key, detail, columns } of CASES) {
  test(`${coverage}: the same message at ${key} from mapproxy.yaml and seed.yaml`, async (t) => {
    // 1. the coverage on a source: serve-develop refuses the configuration, and check refuses it too
    const served = await fixtureDir(t, coverage, VALID);
    const serve = await runCommand(['serve-develop', 'mapproxy.yaml', '--bind', '127.0.0.1:0'], {
      cwd: served,
    });
    assert.equal(serve.code, 2, serve.stderr);
    const fromProxy = `mapproxy.yaml:17:${String(columns[0])} sources.s.coverage.${key}: ${detail(served)}`;
    assert.ok(serve.stderr.includes(`error: ${fromProxy}`), serve.stderr);
    const checkProxy = await checkConfig({ configFile: join(served, 'mapproxy.yaml') });
    assert.deepEqual(
      checkProxy.errors.map((error) => error.format(served)),
      [fromProxy],
    );

    // 2. the same coverage in seed.yaml: seed refuses it before planning, and check refuses it too
    const seeded = await fixtureDir(t, VALID, coverage);
    const seed = await runCommand(['seed', '-f', 'mapproxy.yaml', '-s', 'seed.yaml', '--summary'], {
      cwd: seeded,
    });
    assert.equal(seed.code, 2, seed.stderr);
    const fromSeed = `seed.yaml:8:${String(columns[1])} coverages.cov.${key}: ${detail(seeded)}`;
    assert.ok(seed.stderr.includes(`error: ${fromSeed}`), seed.stderr);
    const check = await checkConfig({
      configFile: join(seeded, 'mapproxy.yaml'),
      seedFile: join(seeded, 'seed.yaml'),
    });
    assert.deepEqual(
      check.errors.map((error) => error.format(seeded)),
      [fromSeed],
    );
  });
}

test('a seed coverage without area is no error: its task is skipped, as MapProxy does', async (t) => {
  const empty =
    "{ intersection: [{ bbox: [0, 0, 1, 1], srs: 'EPSG:4326' }, { bbox: [2, 2, 3, 3], srs: 'EPSG:4326' }] }";
  const dir = await fixtureDir(t, VALID, empty);
  const seed = await runCommand(['seed', '-f', 'mapproxy.yaml', '-s', 'seed.yaml', '--summary'], {
    cwd: dir,
  });
  assert.equal(seed.code, 0, seed.stderr);
  // MapProxy 1.15's format_seed_task of a task whose coverage is False (seeding differential --more,
  // seed 15); we printed only 's1: coverage contains no geometries, task skipped' after the tasks
  assert.match(seed.stdout, /^ {2}s1:\n {4}Empty coverage given for this task\n {4}Skipped$/m);
  const check = await checkConfig({
    configFile: join(dir, 'mapproxy.yaml'),
    seedFile: join(dir, 'seed.yaml'),
  });
  assert.deepEqual(check.errors, []);
});
