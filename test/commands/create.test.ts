/** `mapproxy-util create`: listing, writing, refusing to overwrite, usage errors. */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommand } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/fixtures.js';

test('-l lists every template', async () => {
  const result = await runCommand(['create', '-l']);
  assert.equal(result.code, 0);
  for (const name of ['base-config', 'wsgi-app', 'log-ini', 'seed']) assert.match(result.stdout, new RegExp(`^  ${name} `, 'm'));
});

test('-t base-config writes the four MapProxy example files into a new directory', async (t) => {
  const dir = join(await makeTempDir(t), 'new');
  const result = await runCommand(['create', '-t', 'base-config', dir]);
  assert.equal(result.code, 0, result.stderr);
  for (const file of ['mapproxy.yaml', 'seed.yaml', 'full_example.yaml', 'full_seed_example.yaml']) {
    assert.match(result.stdout, new RegExp(`writing ${join(dir, file)}`));
  }
  assert.match(await readFile(join(dir, 'seed.yaml'), 'utf8'), /^seeds:/m);
});

test('an existing file is refused with exit 1 and kept; --force overwrites it', async (t) => {
  const file = join(await makeTempDir(t), 'log.ini');
  await writeFile(file, 'mine');
  const refused = await runCommand(['create', '-t', 'log-ini', file]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^error: .*log\.ini already exists, use --force$/m);
  assert.equal(await readFile(file, 'utf8'), 'mine');
  const forced = await runCommand(['create', '-t', 'log-ini', file, '--force']);
  assert.equal(forced.code, 0);
  assert.match(await readFile(file, 'utf8'), /qualname=mapproxy\.source\.request/);
});

test('wsgi-app without -f, an unknown template or a missing destination exit 2', async (t) => {
  const dir = await makeTempDir(t);
  const noConf = await runCommand(['create', '-t', 'wsgi-app', join(dir, 'app')]);
  assert.equal(noConf.code, 2);
  assert.match(noConf.stderr, /template requires --mapproxy-conf option/);
  const unknown = await runCommand(['create', '-t', 'nope', join(dir, 'x')]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown template nope/);
  const noDest = await runCommand(['create', '-t', 'log-ini']);
  assert.equal(noDest.code, 2);
  assert.match(noDest.stderr, /template requires destination argument/);
});

test('wsgi-app appends .js to a name without extension and names the absolute config path', async (t) => {
  const dir = await makeTempDir(t);
  const result = await runCommand(['create', '-t', 'wsgi-app', '-f', 'mapproxy.yaml', 'config'], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  const script = await readFile(join(dir, 'config.js'), 'utf8');
  assert.ok(script.includes(`makeApp(${JSON.stringify(join(dir, 'mapproxy.yaml'))})`));
  assert.match(script, /^\/\/ \/\/ uncomment the following lines for logging$/m);
});

test('a destination in a missing directory, under a file or that is a directory says so with the fix, exit 1', async (t) => {
  const dir = await makeTempDir(t);
  await writeFile(join(dir, 'mapproxy.yaml'), 'services:\n');
  const cases = [
    [['log-ini', join(dir, 'missing/sub/log.ini')], `the directory ${join(dir, 'missing/sub')} does not exist \\(create it first: mkdir -p `],
    [['seed', join(dir, 'mapproxy.yaml/seed.yaml')], `a part of ${join(dir, 'mapproxy.yaml')} is a file, not a directory`],
    [['log-ini', dir, '--force'], 'it is a directory; give a file name'],
    [['base-config', join(dir, 'mapproxy.yaml/new')], `a part of ${join(dir, 'mapproxy.yaml')} is a file, not a directory`],
  ] as const;
  for (const [args, reason] of cases) {
    const result = await runCommand(['create', '-t', ...args]);
    assert.equal(result.code, 1, args.join(' '));
    // it was oclif's "Error: ENOENT: no such file or directory, copyfile '.../templates/log-ini/log.ini' -> ..."
    assert.match(result.stderr, new RegExp(`^error: cannot (write|create) \\S+: ${reason}`, 'm'), args.join(' '));
    assert.doesNotMatch(result.stderr, /templates\/|Code: E/);
  }
});
