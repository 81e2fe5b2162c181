/**
 * Python-compatible formatting, checked against values printed by CPython 3 (`repr(x)`, `fmt % x`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PyInt, pyFixed, pyFloat, pyFloatRepr, pyPercent, pyRepr, pyStrRepr } from './py-format.js';

test('float repr matches Python repr() for fixed and exponent forms', () => {
  const table: readonly (readonly [number, string])[] = [
    [0.1, '0.1'],
    [1e-5, '1e-05'],
    [8.58306884765625e-5, '8.58306884765625e-05'],
    [1e16, '1e+16'],
    [123456789012345680.0, '1.2345678901234568e+17'],
    [0.0001, '0.0001'],
    [0.00010000000000000002, '0.00010000000000000002'],
    [1e-4 / 3, '3.3333333333333335e-05'],
    [5e-324, '5e-324'],
    [1e22, '1e+22'],
    [0.30000000000000004, '0.30000000000000004'],
    [2850, '2850.0'],
    [100, '100.0'],
    [156543.03392804097, '156543.03392804097'],
    [-0, '-0.0'],
    [0, '0.0'],
    [-2.5e-7, '-2.5e-07'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [9999999999999998.0, '9999999999999998.0'],
    [Number.NaN, 'nan'],
    [Number.NEGATIVE_INFINITY, '-inf'],
  ];
  for (const [value, expected] of table) assert.equal(pyFloatRepr(value), expected, `repr(${value})`);
});

test('%f rounds the exact binary value half to even like C printf', () => {
  const table: readonly (readonly [number, number, string])[] = [
    [4768.37158203125, 10, '4768.3715820312'], // an exact tie: JS toFixed would round up
    [0.5, 0, '0'],
    [2.5, 0, '2'],
    [-0.01, 1, '-0.0'],
    [559082264.0287178, 10, '559082264.0287177563'],
    [1e22, 2, '10000000000000000000000.00'],
    [1.0005, 3, '1.000'],
    [5e-324, 8, '0.00000000'],
  ];
  for (const [value, precision, expected] of table) {
    assert.equal(pyFixed(value, precision), expected, `%.${precision}f of ${value}`);
  }
});

test('the % operator pads, truncates and zero-fills like Python', () => {
  assert.equal(pyPercent('%7.2fM', 2147.483648), '2147.48M');
  assert.equal(pyPercent('%.2d:', 5), '05:');
  assert.equal(pyPercent('%.2d', 123), '123');
  assert.equal(pyPercent('[%-6d]', 42), '[42    ]');
  assert.equal(pyPercent('%6d', -42), '   -42');
  assert.equal(pyPercent('%d %d', 3.99, -3.99), '3 -3');
  assert.equal(pyPercent('%10s', '1.05M'), '     1.05M');
  assert.equal(pyPercent('%06.2f', -1.5), '-01.50');
  assert.equal(
    pyPercent('%20.10f # %2d %20.8f', 28, 0, 100000),
    '       28.0000000000 #  0      100000.00000000',
  );
  assert.equal(pyPercent('%.4f%%', 19.70751), '19.7075%');
});

test('the % operator rejects a wrong number of arguments', () => {
  assert.throws(() => pyPercent('%d %d', 1), TypeError);
  assert.throws(() => pyPercent('%d', 1, 2), TypeError);
});

test('repr of lists keeps ints and floats apart', () => {
  assert.equal(pyRepr([new PyInt(1), 0.5, 'a', null, true]), "[1, 0.5, 'a', None, True]");
  assert.equal(pyRepr([-180, -90, 180, 90]), '[-180.0, -90.0, 180.0, 90.0]');
  assert.equal(pyRepr({ a: new PyInt(256) }), "{'a': 256}");
});

test('repr of strings picks the quote Python picks', () => {
  assert.equal(pyStrRepr('EPSG:4326'), "'EPSG:4326'");
  assert.equal(pyStrRepr("it's"), '"it\'s"');
  assert.equal(pyStrRepr(`it's "x"`), `'it\\'s "x"'`);
  assert.equal(pyStrRepr('a\nb\\'), "'a\\nb\\\\'");
});

test('pyFloat reads what Python float() reads, NaN where it raises (CPython 3.11)', () => {
  const table: readonly (readonly [string, number])[] = [
    ['256', 256],
    [' 256 ', 256],
    ['\t-7\n', -7],
    ['256.9', 256.9],
    ['1_000', 1000],
    ['1e3', 1000],
    ['.5', 0.5],
    ['5.', 5],
    ['+.5e-1', 0.05],
    ['1_0.2_5e1_0', 102500000000],
    ['inf', Infinity],
    ['-Infinity', -Infinity],
  ];
  for (const [text, expected] of table)
    assert.equal(pyFloat(text), expected, `float(${JSON.stringify(text)})`);
  // ValueError in Python (and nan itself)
  for (const text of ['nan', '0x100', '0b1', '0o7', '', '1__0', '_1', '1_', '1e', 'e3', '1.2.3', '.', '-'])
    assert.ok(Number.isNaN(pyFloat(text)), `float(${JSON.stringify(text)})`);
});
