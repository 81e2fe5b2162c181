/**
 * The seed summary's "Limited to coverage in:" line for coverages transformed into a UTM grid, as
 * MapProxy 1.15 prints it (test/fixtures/seed-summary-utm; `mapproxy-seed --summary` there).
 */
import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatSeedPlan, planSeedRun } from '../../src/core/index.js';
import { FIXTURES_DIR, makeTempDir } from '../helpers/fixtures.js';

/** mapproxy-seed 1.15's lines, by task. */
const MAPPROXY: Record<string, string> = {
  one: '4.23794, 46.84775, 16.12547, 55.14223',
  // several coverages: the union of each one's extent, transformed to the grid and back on its own
  two: '4.23794, 46.84775, 27.78335, 65.44356',
  mixed: '-9.81559, 33.21759, 16.12547, 55.14223',
};

test('coverages transformed into a UTM grid are summarised with MapProxy extents', async (t) => {
  const dir = await makeTempDir(t, 'seed-summary-utm-');
  await cp(join(FIXTURES_DIR, 'seed-summary-utm'), dir, { recursive: true });
  const text = await formatSeedPlan(
    await planSeedRun({
      proxyConfigFile: join(dir, 'mapproxy.yaml'),
      seedConfigFile: join(dir, 'seed.yaml'),
    }),
  );
  const lines = new Map(
    [...text.matchAll(/^ {2}(\w+):\n(?:.*\n)*? {4}Limited to coverage in: (.*) \(EPSG:4326\)$/gm)].map(
      (m) => [m[1], m[2]],
    ),
  );
  assert.deepEqual(Object.fromEntries(lines), MAPPROXY);
});
