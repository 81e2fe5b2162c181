/**
 * `check` refuses every configuration `serve` refuses, with a position: over a corpus of broken
 * configurations (test/fixtures/config/refused/ and the other broken fixtures) both run; every
 * problem `serve` stops at is one `check` reports (check reports all of them), each at
 * file:line:column and key path. The build refuses every broken entry of a section at once.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkConfig, ConfigError, ConfigErrors, runSeed, startServer } from '../../src/core/index.js';
import { copyFixture, FIXTURES_DIR } from '../helpers/fixtures.js';

const REFUSED_DIR = join(FIXTURES_DIR, 'config', 'refused');
const CORPUS = [
  ...readdirSync(REFUSED_DIR)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => join(REFUSED_DIR, name)),
  ...[
    'wrong-type',
    'missing-key',
    'unknown-ref',
    'grid-without-bbox',
    'missing-base',
    'unsupported-options',
  ].map((name) => join(FIXTURES_DIR, 'config', `${name}.yaml`)),
];

/** `<file>:<line>:<column> <key path>: message`, the shape every refusal must have. */
const POSITIONED = /^[^:]+\.yaml:\d+:\d+ \S+: \S/;

for (const file of CORPUS) {
  test(`${file.slice(FIXTURES_DIR.length)}: check and serve refuse it with the same positioned errors`, async () => {
    const checked = await checkConfig({ configFile: file });
    assert.equal(checked.ok, false, 'check accepted it');
    const fromCheck = checked.errors.map((e) => e.format());
    assert.ok(fromCheck.length > 0);
    for (const line of fromCheck) assert.match(line, POSITIONED);

    const started = startServer({
      configFile: file,
      bind: { host: '127.0.0.1', port: 0, displayHost: '127.0.0.1' },
    });
    let fromServe: string[] = [];
    await assert.rejects(started, (error: unknown) => {
      if (error instanceof ConfigError) fromServe = [error.format()];
      else if (error instanceof ConfigErrors) fromServe = error.errors.map((e) => e.format());
      else assert.fail(`serve failed with ${String(error)}, not a configuration error`);
      return true;
    });
    assert.ok(fromServe.length > 0);
    for (const line of fromServe) assert.ok(fromCheck.includes(line), `check did not report: ${line}`);
    // several-*.yaml: two broken entries of one section, both named by both, each once
    if (file.includes('several-')) {
      assert.equal(fromServe.length, 2, fromServe.join('\n'));
      assert.deepEqual(fromCheck, fromServe);
    }
  });
}

test('check -s refuses, at its seed.yaml key, a task seed would refuse when planning it, and touches no cache', async (t) => {
  const dir = await copyFixture(t, 'config/refused-seed');
  const [proxyConfigFile, seedConfigFile] = [join(dir, 'mapproxy.yaml'), join(dir, 'seed.yaml')];
  const checked = await checkConfig({ configFile: proxyConfigFile, seedFile: seedConfigFile });
  assert.deepEqual(
    checked.errors.map((e) => e.format().slice(e.format().indexOf('seed.yaml'))),
    [
      "seed.yaml:5:20 cleanups.old.remove_before: cleanup does not support remove_before for 'old' because cache 'c' does not support timestamps",
    ],
  );
  // without the seed file the configuration is fine
  assert.equal((await checkConfig({ configFile: proxyConfigFile })).ok, true);
  assert.deepEqual((await readdir(dir)).sort(), ['mapproxy.yaml', 'seed.yaml']);

  await assert.rejects(
    runSeed({ proxyConfigFile, seedConfigFile, onEvent: () => undefined }),
    (error: unknown) => {
      // seed names the key as check does
      assert.ok(error instanceof ConfigErrors, String(error));
      assert.deepEqual(
        error.errors.map((e) => e.format()),
        checked.errors.map((e) => e.format()),
      );
      return true;
    },
  );
});
