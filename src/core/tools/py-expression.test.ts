/** The `scales --eval` arithmetic, checked against what Python's eval() returns. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evalPyArithmetic } from './py-expression.js';

test('evaluates arithmetic with Python precedence and true division', () => {
  const table: readonly (readonly [string, number])[] = [
    ['360/256', 1.40625],
    ['2**10', 1024],
    ['-2**2', -4],
    ['2**-1', 0.5],
    ['2**3**2', 512],
    ['(1+2)*3', 9],
    ['7//2', 3],
    ['-7//2', -4],
    ['-7%3', 2],
    ['1_000/4', 250],
    ['.5e1 + 1.', 6],
  ];
  for (const [expression, expected] of table)
    assert.equal(evalPyArithmetic(expression), expected, expression);
});

test('rejects names, calls, unbalanced parentheses and division by zero', () => {
  for (const expression of ['abc', '__import__("os")', '(1+2', '1/0', '1 2', '']) {
    assert.throws(() => evalPyArithmetic(expression), { code: 'TOOLS_INVALID_VALUE' }, expression);
  }
});
