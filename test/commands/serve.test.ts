/** `mapproxy-util serve` and `serve-multiapp-develop`: exit codes and messages; serving is in test/system. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommand } from '../helpers/cli.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';

test('serve: a broken configuration exits 2 before any worker starts', async () => {
  const result = await runCommand(['serve', join(FIXTURES_DIR, 'config', 'unknown-ref.yaml'), '-w', '2', '-b', '127.0.0.1:0']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unknown-ref\.yaml:17:13 caches\.osm_cache\.grids\[0\]: unknown grid "webmerc"/);
  assert.doesNotMatch(result.stdout, /worker \d+ started/);
});

test('serve: a script without an application export exits 1', async (t) => {
  const script = join(await makeTempDir(t), 'app.mjs');
  await writeFile(script, 'export const nothing = 1;\n');
  const result = await runCommand(['serve', script, '-b', '127.0.0.1:0']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /does not export an "application" request handler/);
});

test('serve and serve-develop: a broken --log-config exits 2 naming the section', async (t) => {
  const ini = join(await makeTempDir(t), 'log.ini');
  await writeFile(ini, '[loggers]\nkeys=root\n[handlers]\nkeys=x\n[formatters]\nkeys=\n[logger_root]\nhandlers=x\n[handler_x]\nclass=SMTPHandler\n');
  for (const command of ['serve', 'serve-develop']) {
    const result = await runCommand([command, join(FIXTURES_DIR, 'config', 'valid.yaml'), '--log-config', ini, '-b', '127.0.0.1:0']);
    assert.equal(result.code, 2, command);
    assert.match(result.stderr, /\[handler_x\]: unsupported handler class "SMTPHandler"/, command);
  }
});

test('serve-multiapp-develop: a missing directory is a usage error', async () => {
  const result = await runCommand(['serve-multiapp-develop', '/nonexistent/projects']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /nonexistent/);
});
