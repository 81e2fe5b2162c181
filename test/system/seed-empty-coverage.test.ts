/**
 * A seed run with tasks whose coverage has no area says so as mapproxy-seed 1.15 does: each such
 * task (one per grid and cache) where seed.yaml has it, counted in its section's task count
 * (test/fixtures/seed-empty-coverage; `--summary` has its own test in coverage-errors.test.ts).
 */
import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommand } from '../helpers/cli.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';

const skippedTwice = (name: string): string[] =>
  [1, 2].flatMap(() => [`  ${name}:`, '    Empty coverage given for this task', '    Skipped']);

/** mapproxy-seed 1.15 -f mapproxy.yaml -s seed.yaml -c 1, the headings and task lines. */
const MAPPROXY = [
  '========== Seeding tasks ==========',
  'Start seeding process (3 tasks)',
  ...skippedTwice('empty_seed'),
  '  good_seed:',
  '========== Cleanup tasks ==========',
  'Start cleanup process (5 tasks)',
  ...skippedTwice('empty_clean'),
  '  good_clean:',
  ...skippedTwice('empty_clean2'),
];

test('a seed run prints the tasks of empty coverages in place, as MapProxy', async (t) => {
  const dir = await makeTempDir(t, 'seed-empty-coverage-');
  await cp(join(FIXTURES_DIR, 'seed-empty-coverage'), dir, { recursive: true });
  const result = await runCommand(['seed', '-f', 'mapproxy.yaml', '-s', 'seed.yaml', '-c', '1'], {
    cwd: dir,
  });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout
    .split('\n')
    .filter((line) => /^ {2}\w+:$|Empty coverage|^ {4}Skipped$|^=====|^Start /.test(line));
  assert.deepEqual(lines, MAPPROXY);
});
