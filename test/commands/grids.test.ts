/**
 * `mapproxy-util grids` against MapProxy 1.15's own output for every configuration and flag
 * combination captured in test/fixtures/mapproxy-1.15/cases.tsv (stdout and exit code).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommand } from '../helpers/cli.js';
import { assertSameWithTolerance, loadReferenceCases } from '../helpers/mapproxy-reference.js';

// These configurations have grids whose bbox is given in another SRS (`bbox_srs`), so their
// resolutions and bboxes go through proj4js here and PROJ in MapProxy, which may disagree in the
// last digit or two. Their numbers are compared with a relative tolerance of 1e-9 (today they
// happen to match exactly); every other configuration must match byte for byte.
// grid-quirks.yaml adds a grid interpolated between min_res and max_res (`10 ** x`), where V8's
// Math.pow is off by one ulp from glibc's pow (956.3524997900372 vs ...373), plus a `bbox_srs` grid.
const REPROJECTED = ['grids/full.', 'grids/tutorial.', 'grids/no-origin.', 'grids/examples.', 'grids/quirks.'];
const TOLERANCE = 1e-9;

// MapProxy prints its optparse help here; we print our own usage error. Exit codes must agree.
const OWN_ERROR_TEXT: Readonly<Record<string, RegExp>> = {
  'grids/error.no-config': /-f mapproxy\.yaml/,
};

const cases = await loadReferenceCases('grids/');

for (const reference of cases) {
  const title = `${reference.name}: mapproxy-util ${reference.args.join(' ')} prints what MapProxy 1.15 prints`;
  test(title, async () => {
    const result = await runCommand(reference.args);
    assert.equal(result.code, reference.exitCode, result.stderr);
    const ownError = OWN_ERROR_TEXT[reference.name];
    if (ownError !== undefined) {
      assert.match(result.stderr, ownError);
    } else if (REPROJECTED.some((prefix) => reference.name.startsWith(prefix))) {
      assertSameWithTolerance(result.stdout, reference.stdout, TOLERANCE, reference.name);
    } else {
      assert.equal(result.stdout, reference.stdout);
    }
    // MapProxy's only stderr text on these paths is the missing-file message, which we copy
    if (reference.stderr !== '') assert.equal(result.stderr, reference.stderr);
  });
}

test('grids warns about configuration problems on stderr, not in the grid listing', async () => {
  const reference = cases.find((c) => c.name === 'grids/no-origin.default');
  assert.ok(reference);
  const result = await runCommand(reference.args);
  assert.equal(result.code, 0);
  assert.match(
    result.stderr,
    /^warning: .*grids-no-origin\.yaml:25:3 grids\.nrw: grid nrw does not have an origin/m,
  );
  assert.doesNotMatch(result.stdout, /warning/i);
});

test('grids -f naming a directory says so, not MapProxy\'s "No such file or directory"', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'grids-dir-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const result = await runCommand(['grids', '-f', dir]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^error: \S+: cannot read file \(EISDIR\)\nERROR: invalid configuration \(see above\)\n$/);
  assert.doesNotMatch(result.stderr, /No such file/);
});
