/**
 * Python-compatible text for numbers and values: `repr()` of floats, ints, strings and lists, and
 * the `%` operator (`%20.10f`, `%.2d`, `%-6d`, `%10s`, `%r`), so CLI output matches MapProxy byte for byte.
 */

/** A Python `int`; plain JS numbers stand for Python `float`s. */
export class PyInt {
  readonly value: bigint;

  constructor(value: bigint | number) {
    this.value = typeof value === 'bigint' ? value : BigInt(Math.trunc(value));
  }
}

/** A value as Python would hold it: numbers are floats, `PyInt` are ints, objects are dicts. */
export type PyValue =
  number | PyInt | string | boolean | null | readonly PyValue[] | { readonly [key: string]: PyValue };

/** Python's float literal grammar: digits with single underscores between them, an optional exponent. */
const PY_FLOAT_TEXT = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;

/**
 * `float(text)` as Python reads a request parameter (MapProxy's `float(params['width'])`): NaN where
 * Python raises. JavaScript's `Number` also takes `0x100`, `0b1` and an empty string (0), and not
 * `1_000` or `inf`.
 */
export function pyFloat(text: string): number {
  const trimmed = text.trim();
  if (PY_FLOAT_TEXT.test(trimmed)) return Number(trimmed.replaceAll('_', ''));
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(trimmed);
  if (special === null) return NaN;
  if ((special[2] ?? '').toLowerCase() === 'nan') return NaN;
  return special[1] === '-' ? -Infinity : Infinity;
}

/** `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16 on. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // JS and Python both pick the shortest digit string that round-trips (nearest, ties even)
  const [mantissa = '', exponent = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp10 = Number(exponent);
  const decpt = exp10 + 1;
  // CPython format_float_short, mode 'r': exponent form when decpt <= -4 or decpt > 16
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
  const expSign = exp10 < 0 ? '-' : '+';
  return `${sign}${digits.slice(0, 1)}${fraction}e${expSign}${String(Math.abs(exp10)).padStart(2, '0')}`;
}

/** `'%.<precision>f' % x`, correctly rounded from the exact binary value (ties to even, like C). */
export function pyFixed(x: number, precision: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const { mantissa, exponent } = decompose(Math.abs(x));
  const scale = 10n ** BigInt(precision);
  let units: bigint;
  if (exponent >= 0) {
    units = (mantissa << BigInt(exponent)) * scale;
  } else {
    const numerator = mantissa * scale;
    const denominator = 1n << BigInt(-exponent);
    units = numerator / denominator;
    const twice = 2n * (numerator % denominator);
    if (twice > denominator || (twice === denominator && units % 2n === 1n)) units += 1n;
  }
  const text = units.toString().padStart(precision + 1, '0');
  if (precision === 0) return sign + text;
  return `${sign}${text.slice(0, -precision)}.${text.slice(-precision)}`;
}

/** |x| = mantissa * 2^exponent for a finite, non-negative double. */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  if (biased === 0) return { mantissa: fraction, exponent: -1074 };
  return { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/** `repr(s)` for a str: single quotes unless the text holds `'` and no `"`. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** `repr(value)`: floats as `pyFloatRepr`, `True`/`False`/`None`, `[a, b]`, `{'k': v}`. */
export function pyRepr(value: PyValue): string {
  if (value === null) return 'None';
  if (typeof value === 'number') return pyFloatRepr(value);
  if (typeof value === 'string') return pyStrRepr(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value instanceof PyInt) return value.value.toString();
  if (isPyList(value)) return `[${value.map(pyRepr).join(', ')}]`;
  const entries = Object.entries(value).map(([key, item]) => `${pyStrRepr(key)}: ${pyRepr(item)}`);
  return `{${entries.join(', ')}}`;
}

function isPyList(value: PyValue): value is readonly PyValue[] {
  return Array.isArray(value);
}

/** `str(value)`: like `repr` except that a str is itself. */
export function pyStr(value: PyValue): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

const SPEC = /%([-0 +#]*)(\d+)?(?:\.(\d+))?([dfsr%])/g;

/**
 * Python's `format % args` for the `d`, `f`, `s`, `r` and `%` conversions with the `-` and `0`
 * flags, width and precision. `%d` truncates floats toward zero like `int()`.
 * Throws a `TypeError` when the arguments do not fit the format.
 */
export function pyPercent(format: string, ...args: readonly PyValue[]): string {
  let next = 0;
  const out = format.replace(
    SPEC,
    (_spec, flags: string, width: string | undefined, precision: string | undefined, kind: string) => {
      if (kind === '%') return '%';
      if (next >= args.length) throw new TypeError('not enough arguments for format string');
      const arg = args[next++] as PyValue;
      const body = convert(kind, arg, precision === undefined ? undefined : Number(precision));
      return pad(body, width === undefined ? 0 : Number(width), flags, kind);
    },
  );
  if (next !== args.length) throw new TypeError('not all arguments converted during string formatting');
  return out;
}

function convert(kind: string, arg: PyValue, precision: number | undefined): string {
  switch (kind) {
    case 'f':
      return pyFixed(toFloat(arg), precision ?? 6);
    case 'd': {
      const int = toInt(arg);
      const digits = (int < 0n ? -int : int).toString().padStart(precision ?? 0, '0');
      return int < 0n ? `-${digits}` : digits;
    }
    case 'r':
      return pyRepr(arg);
    default: {
      const text = pyStr(arg);
      return precision === undefined ? text : text.slice(0, precision);
    }
  }
}

function toFloat(arg: PyValue): number {
  if (typeof arg === 'number') return arg;
  if (arg instanceof PyInt) return Number(arg.value);
  throw new TypeError(`must be real number, not ${typeof arg}`);
}

function toInt(arg: PyValue): bigint {
  if (arg instanceof PyInt) return arg.value;
  if (typeof arg === 'number' && Number.isFinite(arg)) return BigInt(Math.trunc(arg));
  throw new TypeError(`%d format: a real number is required, not ${typeof arg}`);
}

function pad(body: string, width: number, flags: string, kind: string): string {
  if (body.length >= width) return body;
  if (flags.includes('-')) return body.padEnd(width);
  if (flags.includes('0') && (kind === 'd' || kind === 'f')) {
    const negative = body.startsWith('-');
    const digits = negative ? body.slice(1) : body;
    return (negative ? '-' : '') + digits.padStart(width - (negative ? 1 : 0), '0');
  }
  return body.padStart(width);
}
