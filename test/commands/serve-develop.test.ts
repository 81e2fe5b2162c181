/** `mapproxy-util serve-develop`: messages and exit codes; serving itself is in test/system. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

test('a broken configuration prints every problem with its position and exits 2', async () => {
  const result = await runCli([
    'serve-develop',
    join(FIXTURES_DIR, 'config', 'unknown-ref.yaml'),
    '-b',
    '127.0.0.1:0',
  ]);
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /unknown-ref\.yaml:17:13 caches\.osm_cache\.grids\[0\]: unknown grid "webmerc"/,
  );
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
});

test("a configuration whose grid cannot be built exits 2 with the grid's position", async () => {
  const result = await runCli([
    'serve-develop',
    join(FIXTURES_DIR, 'config', 'grid-without-bbox.yaml'),
    '-b',
    '127.0.0.1:0',
  ]);
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /grid-without-bbox\.yaml:14:5 grids\.utm32\.bbox: grid utm32: need a bbox for grid with EPSG:25832/,
  );
});

test('an unusable --bind value says what is expected and exits 1', async () => {
  const result = await runCli([
    'serve-develop',
    join(FIXTURES_DIR, 'config', 'valid.yaml'),
    '-b',
    'localhost:http',
  ]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /invalid --bind value "localhost:http": expected PORT, HOST or HOST:PORT/);
});

test('--help explains the bind forms and shows examples', async () => {
  const result = await runCli(['serve-develop', '--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /-b, --bind=<value>/);
  assert.match(result.stdout, /EXAMPLES/);
});
