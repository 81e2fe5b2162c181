/** Input handling of `mapproxy-util scales`, mirroring Python float() and scales.py helpers. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fillValues, parsePyFloat, repeatedValues, valuesFromText } from './scale-values.js';

test('parses what Python float() accepts', () => {
  assert.equal(parsePyFloat(' 1e5 '), 100000);
  assert.equal(parsePyFloat('1_000.5'), 1000.5);
  assert.equal(parsePyFloat('.5'), 0.5);
  assert.equal(parsePyFloat('-Infinity'), Number.NEGATIVE_INFINITY);
  assert.ok(Number.isNaN(parsePyFloat('nan')));
});

test('rejects what Python float() rejects', () => {
  for (const text of ['', 'abc', '0x10', '1__0', '1e', '1,5']) {
    assert.throws(() => parsePyFloat(text), { code: 'TOOLS_INVALID_VALUE' }, text);
  }
});

test('fill-up appends levels - 1 halvings of the last value, whatever the value count', () => {
  assert.deepEqual(fillValues([100000], 4), [100000, 50000, 25000, 12500]);
  assert.deepEqual(fillValues([100000, 50000], 4), [100000, 50000, 25000, 12500, 6250]);
});

test('repeat cycles the values, dividing by 10 each round', () => {
  assert.deepEqual(repeatedValues([1000, 500, 250], 7), [1000, 500, 250, 100, 50, 25, 10]);
});

test('stdin values stop at the first blank line and ignore comments', () => {
  assert.deepEqual(valuesFromText('100000 # level 0\n50000\n\n25000\n'), [100000, 50000]);
});
