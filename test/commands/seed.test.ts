/** `mapproxy-util seed` flags, messages and exit codes (behaviour is tested in test/system/seed-*). */
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { runCommand } from '../helpers/cli.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';

async function fixtureDir(t: TestContext): Promise<string> {
  const dir = await makeTempDir(t, 'seed-cmd-');
  for (const f of ['seed.yaml', 'world.geojson', 'area.wkt'])
    await cp(join(FIXTURES_DIR, 'seed', f), join(dir, f));
  const yaml = await readFile(join(FIXTURES_DIR, 'seed/mapproxy.yaml'), 'utf8');
  // nothing listens on port 9: --summary and --dry-run must never reach the upstream
  await writeFile(join(dir, 'mapproxy.yaml'), yaml.replaceAll('${UPSTREAM_URL}', 'http://127.0.0.1:9'));
  return dir;
}

test('--summary prints every task with levels and tile counts and exits 0', async (t) => {
  const dir = await fixtureDir(t);
  const result = await runCommand(['seed', '-f', 'mapproxy.yaml', '-s', 'seed.yaml', '--summary'], {
    cwd: dir,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /========== Seeding tasks ==========/);
  assert.match(result.stdout, /Seeding cache 'world_cache' with grid 'GLOBAL_WEBMERCATOR' in EPSG:3857/);
  assert.match(result.stdout, /Level 4: 256 tiles, 16 meta tiles/);
  assert.match(result.stdout, /Cleaning up cache 'world_cache'/);
  assert.match(result.stdout, /Remove: all tiles/);
});

test('the seed configuration may be the last argument instead of -s', async (t) => {
  const dir = await fixtureDir(t);
  const result = await runCommand(
    ['seed', '-f', 'mapproxy.yaml', '--summary', '--seed', 'world', 'seed.yaml'],
    {
      cwd: dir,
    },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stdout, /europe:/);
});

test('an unknown --seed task exits 1 and lists the available ones', async (t) => {
  const dir = await fixtureDir(t);
  const result = await runCommand(['seed', '-f', 'mapproxy.yaml', '-s', 'seed.yaml', '--seed', 'nope'], {
    cwd: dir,
  });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /unknown seed tasks: nope/);
  assert.match(result.stderr, /available seed tasks: world, europe, combined, holed/);
});

test('a missing seed configuration is a usage error (exit 2)', async (t) => {
  const dir = await fixtureDir(t);
  const result = await runCommand(['seed', '-f', 'mapproxy.yaml'], { cwd: dir });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /missing seed_conf/);
});

test('-c 0 is a usage error (exit 2): MapProxy 1.15 stores nothing and exits 0', async (t) => {
  const dir = await fixtureDir(t);
  for (const concurrency of ['0', '-1']) {
    const result = await runCommand(['seed', '-f', 'mapproxy.yaml', '-s', 'seed.yaml', '-c', concurrency], {
      cwd: dir,
    });
    assert.equal(result.code, 2, concurrency);
    assert.match(result.stderr, /Expected an integer greater than or equal to 1/);
  }
});

test('--dry-run counts the tiles without requesting or writing anything', async (t) => {
  const dir = await fixtureDir(t);
  const result = await runCommand(
    ['seed', '-f', 'mapproxy.yaml', '-s', 'seed.yaml', '--seed', 'world', '-n'],
    { cwd: dir },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /23 meta tiles, 341 tiles/);
});

test('an upstream that cannot be reached makes the run exit 1 naming the failed tiles', async (t) => {
  const dir = await fixtureDir(t);
  const seedYaml = 'seeds:\n  one:\n    caches: [world_cache]\n    levels: [0]\n';
  await writeFile(join(dir, 'one.yaml'), seedYaml);
  const result = await runCommand(['seed', '-f', 'mapproxy.yaml', '-s', 'one.yaml', '--retries', '0'], {
    cwd: dir,
  });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /1 meta tile\(s\) could not be created/);
  assert.match(result.stderr, /tile \(0, 0, 0\)/);
});

test('a cache directory that cannot be created names the system error with the failed tile', async (t) => {
  const dir = await fixtureDir(t);
  // base_dir under a plain file: every mkdir below it fails with ENOTDIR
  await writeFile(join(dir, 'not-a-dir'), '');
  const yaml = await readFile(join(dir, 'mapproxy.yaml'), 'utf8');
  await writeFile(join(dir, 'mapproxy.yaml'), yaml.replace('./cache_data', './not-a-dir/cache'));
  await writeFile(join(dir, 'one.yaml'), 'seeds:\n  one:\n    caches: [world_cache]\n    levels: [0]\n');
  const result = await runCommand(['seed', '-f', 'mapproxy.yaml', '-s', 'one.yaml', '--retries', '0'], {
    cwd: dir,
  });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /tile \(0, 0, 0\): could not lock .*not-a-dir.* \(ENOTDIR: not a directory\)/);
});

test('-l/--skip-geoms-for-last-levels N reaches the walk (MapProxy 1.15: 9, 12 and 38 meta tiles)', async (t) => {
  const dir = await fixtureDir(t);
  for (const f of ['expire.seed.yaml', 'sparse.tiles']) await cp(join(FIXTURES_DIR, 'seed', f), join(dir, f));
  const dryRun = ['seed', '-f', 'mapproxy.yaml', '-s', 'expire.seed.yaml', '--seed', 'sparse', '-n'];
  const plain = await runCommand(dryRun, { cwd: dir });
  const short = await runCommand([...dryRun, '-l', '2'], { cwd: dir });
  const long = await runCommand([...dryRun, '--skip-geoms-for-last-levels', '3'], { cwd: dir });
  for (const result of [plain, short, long]) assert.equal(result.code, 0, result.stderr);
  assert.match(plain.stdout, /: 9 meta tiles, 144 tiles/);
  assert.match(short.stdout, /: 12 meta tiles, 192 tiles/);
  assert.match(long.stdout, /: 38 meta tiles, 608 tiles/);
});

test('a refresh_before time that is no date is a configuration error at its seed.yaml key (exit 2)', async (t) => {
  const dir = await fixtureDir(t);
  // Date rolled it over to 2021-02-18T03:00:00 and seeded with that limit
  const seedYaml =
    'seeds:\n  world:\n    caches: [world_cache]\n    levels:\n      to: 1\n    refresh_before:\n      time: 2020-13-45T99:00:00\n';
  await writeFile(join(dir, 'bad-time.yaml'), seedYaml);
  for (const command of [['seed', '--summary'], ['seed', '--dry-run'], ['check']]) {
    const result = await runCommand([...command, '-f', 'mapproxy.yaml', '-s', 'bad-time.yaml'], { cwd: dir });
    assert.equal(result.code, 2, `${command.join(' ')}: ${result.stdout}`);
    assert.match(
      result.stderr,
      /bad-time\.yaml:7:7 seeds\.world\.refresh_before: can't parse time '2020-13-45T99:00:00': no such date or time/,
    );
    assert.doesNotMatch(result.stdout, /2021-02-18/);
  }
});

test('a levels range written high to low is a configuration error at its seed.yaml key (exit 2)', async (t) => {
  const dir = await fixtureDir(t);
  // range(5, 3) seeded nothing in silence (MapProxy 1.15: an IndexError traceback)
  await writeFile(
    join(dir, 'reversed.yaml'),
    'cleanups:\n  world:\n    caches: [world_cache]\n    levels:\n      from: 5\n      to: 2\n',
  );
  for (const command of [['seed', '--summary'], ['seed', '--dry-run'], ['check']]) {
    const result = await runCommand([...command, '-f', 'mapproxy.yaml', '-s', 'reversed.yaml'], { cwd: dir });
    assert.equal(result.code, 2, `${command.join(' ')}: ${result.stdout}`);
    assert.match(
      result.stderr,
      /reversed\.yaml:5:7 cleanups\.world\.levels: from 5 is above to 2, which is no level; write the lower level first \(from: 2, to: 5\)/,
    );
  }
});

test('levels none of which the grid has are an error at the key, exit 2 (MapProxy 1.15: IndexError)', async (t) => {
  const dir = await fixtureDir(t);
  // GLOBAL_WEBMERCATOR has levels 0-19: these planned a task of no level and seeded nothing
  await writeFile(
    join(dir, 'beyond.yaml'),
    'seeds:\n  deep:\n    caches: [world_cache]\n    levels:\n      from: 25\n',
  );
  await writeFile(
    join(dir, 'listed.yaml'),
    'seeds:\n  deep:\n    caches: [world_cache]\n    levels: [20, 30]\n',
  );
  for (const file of ['beyond.yaml', 'listed.yaml']) {
    for (const command of [['seed', '--summary'], ['seed'], ['check']]) {
      const result = await runCommand([...command, '-f', 'mapproxy.yaml', '-s', file], { cwd: dir });
      assert.equal(result.code, 2, `${file} ${command.join(' ')}: ${result.stdout}`);
      assert.match(
        result.stderr,
        /\.yaml:\d+:\d+ seeds\.deep\.levels: no level of grid GLOBAL_WEBMERCATOR \(levels 0-19\) is in levels of seed task 'deep'/,
        `${file} ${command.join(' ')}`,
      );
    }
  }
});
