/**
 * Over every configuration in test/fixtures (a copy, placeholders filled with unreachable
 * addresses): `check` accepts exactly what serve's load-and-build accepts, and what the build
 * refuses `check` refuses with the same positioned lines. The build never fails with anything
 * but a configuration error.
 */
import assert from 'node:assert/strict';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { loadServedApp } from '../../src/core/app/index.js';
import { checkConfig, ConfigError, ConfigErrors } from '../../src/core/index.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';

/** A value for a test placeholder that leads nowhere (port 9, a directory that does not exist). */
function placeholderValue(name: string, dir: string): string | undefined {
  if (name.endsWith('_URL') || name === 'SOURCE') return 'http://127.0.0.1:9';
  if (name.endsWith('PORT')) return '9';
  if (name.endsWith('_DIR') || name === 'DATA') return join(dir, 'nowhere', name.toLowerCase());
  return undefined;
}

/** Configurations (not seed files) under `root`, with their placeholders filled in place. */
async function fixtureConfigs(root: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(root, { recursive: true })) {
    if (!entry.endsWith('.yaml')) continue;
    const file = join(root, entry);
    const text = await readFile(file, 'utf8');
    if (/^(seeds|cleanups|coverages):/m.test(text)) continue;
    const filled = text.replace(
      /\$\{([A-Z_0-9]+)\}/g,
      (all, name: string) => placeholderValue(name, root) ?? all,
    );
    if (filled !== text) await writeFile(file, filled);
    files.push(file);
  }
  return files.sort();
}

/** What serve's load and build say: `[]` when they accept the configuration. */
async function buildRefusal(file: string): Promise<string[]> {
  try {
    const app = await loadServedApp(file);
    await app.close?.();
    return [];
  } catch (error) {
    if (error instanceof ConfigErrors) return error.errors.map((e) => e.format());
    if (error instanceof ConfigError) return [error.format()];
    throw new Error(`the build of ${file} failed with ${String(error)}, not a configuration error`, {
      cause: error,
    });
  }
}

test('check accepts what the build accepts and refuses what it refuses, over every fixture configuration', async (t) => {
  const root = await makeTempDir(t);
  await cp(FIXTURES_DIR, root, { recursive: true });
  const files = await fixtureConfigs(root);
  assert.ok(files.length > 100, `only ${String(files.length)} configurations found`);
  let refused = 0;
  for (const file of files) {
    const name = relative(root, file);
    const fromBuild = await buildRefusal(file);
    const checked = await checkConfig({ configFile: file });
    const fromCheck = checked.errors.map((e) => e.format());
    if (fromBuild.length === 0) {
      assert.deepEqual(fromCheck, [], `${name}: check refused what the build accepts`);
      continue;
    }
    refused += 1;
    for (const line of fromBuild)
      assert.ok(fromCheck.includes(line), `${name}: check did not report: ${line}`);
  }
  // both outcomes occur, so neither half of the comparison is vacuous
  assert.ok(refused > 10 && refused < files.length, `${String(refused)} of ${String(files.length)} refused`);
});
