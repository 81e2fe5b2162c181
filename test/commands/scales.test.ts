/**
 * `mapproxy-util scales` against MapProxy 1.15's own output for every case captured in
 * test/fixtures/mapproxy-1.15/cases.tsv: stdout byte for byte and the exit code.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCommand } from '../helpers/cli.js';
import { loadReferenceCases } from '../helpers/mapproxy-reference.js';

// Where MapProxy's failure text is Python's (optparse help, a traceback), only the exit code and
// the gist of our own message are compared.
const OWN_ERROR_TEXT: Readonly<Record<string, RegExp>> = {
  'scales/no-values': /at least one scale/,
  'scales/invalid-value': /could not convert string to float: 'abc'/,
};

const cases = await loadReferenceCases('scales/');

for (const reference of cases) {
  test(`${reference.name}: mapproxy-util ${reference.args.join(' ')} prints what MapProxy 1.15 prints`, async () => {
    const result = await runCommand(reference.args);
    assert.equal(result.code, reference.exitCode, result.stderr);
    const ownError = OWN_ERROR_TEXT[reference.name];
    if (ownError === undefined) {
      assert.equal(result.stdout, reference.stdout);
      assert.equal(result.stderr, reference.stderr);
    } else {
      assert.equal(result.stdout, '');
      assert.match(result.stderr, ownError);
    }
  });
}

test('a --dpi of 0, below 0 or no number is refused naming the option (it printed inf)', async () => {
  const invalidValue = await runCommand(['scales', 'abc']);
  // MapProxy 1.15: 0 is a ZeroDivisionError traceback, -96 prints negative resolutions
  for (const dpi of ['0', '-96', 'abc', 'inf', 'nan']) {
    const result = await runCommand(['scales', `--dpi=${dpi}`, '100000']);
    assert.equal(result.code, invalidValue.code, dpi);
    assert.equal(result.stdout, '', dpi);
    assert.match(
      result.stderr,
      new RegExp(`invalid --dpi '${dpi}': give the dots per inch, a number above 0`),
      dpi,
    );
  }
});
