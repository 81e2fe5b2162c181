/**
 * Fixture access: the project's own test fixtures in test/fixtures (nothing outside the
 * repository), each copied into a fresh temporary directory per test.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { atTestEnd } from './test-end.js';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Makes a temporary directory that is removed when the test ends. */
export async function makeTempDir(t: TestContext, prefix = 'mapproxy-ts-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // its hook runs before those of the servers started later, which may still write into it
  // (ENOTEMPTY while a failed test's requests finish): retried, as rm -rf would succeed
  atTestEnd(t, () => rm(dir, { recursive: true, force: true, maxRetries: 5 }));
  return dir;
}

/**
 * Copies `test/fixtures/<name>` into a fresh temp dir, replacing `${KEY}` placeholders in
 * the copied file with `vars[KEY]`. Returns the path of the copy.
 */
export async function copyFixture(
  t: TestContext,
  name: string,
  vars: Readonly<Record<string, string>> = {},
): Promise<string> {
  const dir = await makeTempDir(t);
  const target = join(dir, name.split('/').pop() ?? name);
  await cp(join(FIXTURES_DIR, name), target, { recursive: true });
  if (Object.keys(vars).length > 0) {
    let text = await readFile(target, 'utf8');
    for (const [key, value] of Object.entries(vars)) text = text.replaceAll(`\${${key}}`, value);
    await writeFile(target, text);
  }
  return target;
}
