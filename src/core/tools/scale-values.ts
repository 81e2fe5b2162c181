/**
 * The input side of `mapproxy-util scales` (MapProxy `script/scales.py`): Python `float()` parsing,
 * `--eval`, values from stdin, `--repeat` and the `--levels` fill-up.
 */
import { ToolsError } from './errors.js';
import { evalPyArithmetic } from './py-expression.js';

const DIGITS = String.raw`\d(?:_?\d)*`;
const PY_FLOAT = new RegExp(
  String.raw`^[+-]?(?:(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?|inf(?:inity)?|nan)$`,
  'i',
);

/** Python's `float(text)`: surrounding blanks, `_` between digits, `inf`/`nan`. Throws `ToolsError`. */
export function parsePyFloat(text: string): number {
  const trimmed = text.trim();
  if (!PY_FLOAT.test(trimmed)) {
    throw new ToolsError(`could not convert string to float: '${text}'`, 'TOOLS_INVALID_VALUE');
  }
  const lower = trimmed.toLowerCase().replace(/^\+/, '');
  if (lower.endsWith('nan')) return Number.NaN;
  if (lower.endsWith('inf') || lower.endsWith('infinity')) {
    return lower.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return Number(lower.replaceAll('_', ''));
}

/** Python's `int(text)` as optparse's `type=int` uses it. Throws `ToolsError`. */
export function parsePyInt(text: string, what: string): number {
  const trimmed = text.trim();
  if (!new RegExp(`^[+-]?${DIGITS}$`).test(trimmed)) {
    throw new ToolsError(`option ${what}: invalid integer value: '${text}'`, 'TOOLS_INVALID_VALUE');
  }
  return Number(trimmed.replaceAll('_', ''));
}

/** MapProxy `values_from_stdin`: one value per line, `#` starts a comment, a blank line ends the list. */
export function valuesFromText(text: string): number[] {
  const values: number[] = [];
  for (const line of text.split('\n')) {
    const value = line.split('#', 1)[0] ?? '';
    if (value.trim() === '') break;
    values.push(parsePyFloat(value));
  }
  return values;
}

/** Parses the command-line values, each as a Python float or (with `--eval`) an arithmetic expression. */
export function parseValues(args: readonly string[], evaluate: boolean): number[] {
  return args.map((arg) => (evaluate ? evalPyArithmetic(arg) : parsePyFloat(arg)));
}

/** MapProxy `repeated_values`: cycles through `values` for `n` entries, dividing by 10 on each new round. */
export function repeatedValues(values: readonly number[], n: number): number[] {
  let factor = 1;
  const result: number[] = [];
  for (let i = 0; i < n && values.length > 0; i++) {
    if (i !== 0 && i % values.length === 0) factor *= 10;
    result.push((values[i % values.length] ?? 0) / factor);
  }
  return result;
}

/**
 * MapProxy `fill_values`: appends `n - 1` halvings of the last value. Note that this yields
 * `values.length + n - 1` entries, not `n` (`-l 4 100000 50000` prints five lines).
 */
export function fillValues(values: readonly number[], n: number): number[] {
  const last = values.at(-1) ?? 0;
  const filled = [...values];
  for (let x = 1; x < n; x++) filled.push(last / 2 ** x);
  return filled;
}
