/** Parsing expire tiles files with MapProxy's (Python int()) rules. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExpireTiles } from './index.js';

const numbersOf = (text: string): number[][] => parseExpireTiles(text).lines.map((l) => [...l.numbers]);

test('parses z/x/y lines with Python int() tolerance: whitespace, signs, underscores, CRLF', () => {
  assert.deepEqual(numbersOf('14/1283/6201\n 1 / 1 / 0 \r\n+2/1_0/-3'), [
    [14, 1283, 6201],
    [1, 1, 0],
    [2, 10, -3],
  ]);
  assert.equal(parseExpireTiles('1/0/0\n').errorLine, null);
});

test('an empty or non-numeric line ends the file; the lines before it are kept', () => {
  assert.deepEqual(parseExpireTiles('1/0/0\n\n2/3/3\n'), {
    lines: [{ numbers: [1, 0, 0], line: 1 }],
    errorLine: 2,
  });
  assert.deepEqual(parseExpireTiles('1/1/1\n1/1/1.0\n1/0/1\n').errorLine, 2);
  assert.deepEqual(numbersOf('x/1/1\n1/0/0\n'), []);
});

test('lines with more or fewer numbers are parsed, for the loader to reject', () => {
  assert.deepEqual(numbersOf('1/2\n1/2/3/4\n'), [
    [1, 2],
    [1, 2, 3, 4],
  ]);
});
