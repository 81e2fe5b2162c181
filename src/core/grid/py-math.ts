/**
 * Python float semantics the grid math depends on: `round(x, n)` and floor division `a // b`.
 * Matching them keeps tile bboxes and grid sizes identical to MapProxy's in the last bit.
 */

/** Python `round(x, digits)`: the double nearest to `x` rounded to `digits` decimals. */
export function pyRound(x: number, digits: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return x;
  return Number(x.toFixed(digits));
}

/** Python float `a // b` (CPython float_divmod): differs from `Math.floor(a / b)`, e.g. `1 // 0.1 == 9`. */
export function pyFloorDiv(a: number, b: number): number {
  let mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0) {
    if (b < 0 !== mod < 0) {
      mod += b;
      div -= 1;
    }
  }
  if (div === 0) return 0;
  let floored = Math.floor(div);
  if (div - floored > 0.5) floored += 1;
  return floored;
}

/** Python `round(x)` without digits: nearest integer, ties to even (`round(2.5) == 2`). */
export function pyRoundInt(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
