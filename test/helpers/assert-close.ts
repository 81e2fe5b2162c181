/** Numeric comparison with an explicit relative tolerance, for values that went through proj4. */
import assert from 'node:assert/strict';

/**
 * Asserts that `actual` and `expected` have the same length and each value is within `relTol`
 * of the expected one, relative to max(|expected|, minScale): a `minScale` of 1 lets coordinates
 * near zero compare absolutely. `relTol` 0 means exact equality.
 */
export function assertClose(
  actual: readonly number[],
  expected: readonly number[],
  relTol: number,
  what: string,
  minScale = 0,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  expected.forEach((value, i) => {
    const got = actual[i] ?? NaN;
    if (relTol === 0) assert.equal(got, value, `${what}[${i}]`);
    else
      assert.ok(
        Math.abs(got - value) <= relTol * Math.max(Math.abs(value), minScale),
        `${what}[${i}]: ${got} vs ${value}`,
      );
  });
}
