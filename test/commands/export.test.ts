/**
 * `mapproxy-util export` flags, messages and exit codes (the behaviour is tested in
 * test/system/export.test.ts): an export of a cached level, an existing destination (1), a bad
 * type and a missing required flag (2).
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { runCommand } from '../helpers/cli.js';
import { copyFixture } from '../helpers/fixtures.js';
import { solidPng } from '../helpers/upstream.js';

test('exports a cached tile as tms and refuses to overwrite it without --force', async (t) => {
  const configFile = await copyFixture(t, 'export/mapproxy.yaml', { UPSTREAM_URL: 'http://127.0.0.1:9' });
  const dir = dirname(configFile);
  const tile = join(dir, 'cache_data/osm_cache_EPSG3857/00/000/000/000/000/000/000.png');
  await mkdir(dirname(tile), { recursive: true });
  await writeFile(tile, await solidPng([1, 2, 3]));
  const dest = join(dir, 'out');
  const args = [
    'export',
    '-f',
    configFile,
    '--grid',
    'GLOBAL_WEBMERCATOR',
    '--source',
    'osm_cache',
    '--dest',
    dest,
    '--levels',
    '0',
    '-q',
  ];
  const done = await runCommand(args);
  assert.equal(done.code, 0, done.stderr);
  assert.match(
    done.stdout,
    /Exporting cache 'cache' to '.*out' with grid 'GLOBAL_WEBMERCATOR' in EPSG:3857\n {2}Limited to: -180\.00000, -85\.05113, 180\.00000, 85\.05113 \(EPSG:4326\)\n {2}Levels: \[0\]/,
  );
  assert.deepEqual(await readdir(join(dest, '0/0')), ['0.png']);

  const again = await runCommand(args);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /destination .*out exists, remove first or use --force/);
  assert.equal((await runCommand([...args, '--force'])).code, 0);

  const badType = await runCommand([...args, '--force', '--type', 'png']);
  assert.equal(badType.code, 2);
  assert.match(badType.stderr, /unsupported --type png/);
  const custom = await runCommand([
    'export',
    '-f',
    configFile,
    '--grid',
    "srs='EPSG:4326' bbox=[5,50,10,60] tile_size=[512,512]",
    '--source',
    'osm_cache',
    '--dest',
    join(dir, 'custom'),
    '--levels',
    '0',
    '-n',
  ]);
  assert.equal(custom.code, 0, custom.stderr);
  assert.match(custom.stderr, /WARN: grids are incompatible\. needs to scale\/reproject tiles for export\./);
  assert.match(
    custom.stdout,
    /with custom grid in EPSG:4326\n {2}Limited to: 5\.00000, 50\.00000, 10\.00000, 60\.00000/,
  );
  const noLevels = await runCommand(args.filter((a) => a !== '--levels' && a !== '0'));
  assert.equal(noLevels.code, 2);
  assert.match(noLevels.stderr, /levels/);
});

test('refuses a --levels range written high to low instead of exporting every level', async (t) => {
  const configFile = await copyFixture(t, 'export/mapproxy.yaml', { UPSTREAM_URL: 'http://127.0.0.1:9' });
  const dest = join(dirname(configFile), 'out');
  const args = ['export', '-f', configFile, '--grid', 'GLOBAL_WEBMERCATOR', '--source', 'osm_cache'];
  const done = await runCommand([...args, '--dest', dest, '--levels', '5..2', '-n']);
  assert.equal(done.code, 2);
  assert.match(
    done.stderr,
    /invalid --levels "5\.\.2": 5\.\.2 is empty; write the lower level first \(2\.\.5\)/,
  );
  assert.doesNotMatch(done.stdout, /Levels: \[0, 1, 2/);
  await assert.rejects(readdir(dest), { code: 'ENOENT' });
});
