/**
 * Layer dimensions (`layers[].dimensions`: time, elevation, `dim_*`): the values a layer offers,
 * expanded from the config as MapProxy's `LayerConfiguration.dimensions` does, and the check of
 * requested values against them (MapProxy `TileLayer.checked_dimensions`).
 */
import { DimensionValueError } from './errors.js';

/** One dimension of a layer; `values` and `default` as MapProxy writes them into capabilities. */
export interface LayerDimension {
  /** The name as configured (`tiME`); requests and sources use it lower-cased. */
  readonly identifier: string;
  readonly values: readonly string[];
  readonly default: string;
}

/**
 * Expands a `dimensions` config entry. A single value of a dimension whose name contains `time`
 * is an ISO 8601 instant or interval (`start/end/PT2H`, `start/P1D`, `P1D/end`) and becomes the
 * list of instants; any other single value is split at `/`. The default is the configured one,
 * else the last value (MapProxy 1.15 `dimensions()` and `Dimension`).
 */
export function layerDimension(
  identifier: string,
  config: { readonly values: readonly (string | number)[]; readonly default?: string | number | undefined },
): LayerDimension {
  let values: string[];
  const [only] = config.values;
  if (config.values.length === 1 && only !== undefined) {
    const text = String(only).trim();
    values = identifier.toLowerCase().includes('time') ? expandTimeRange(text) : text.split('/');
  } else {
    values = config.values.map(String);
  }
  // Dimension(): a falsy default (0, '') falls back to the first value
  const configured = config.default ?? values.at(-1) ?? '';
  const fallback = configured === 0 || configured === '' ? (values[0] ?? '') : configured;
  return { identifier, values, default: String(fallback) };
}

/**
 * The value of each layer dimension for a request (`requested` has lower-cased keys): a listed
 * value, or the default when absent, empty or `default`. Keys of the result are lower-cased.
 * Throws `DimensionValueError` for any other value.
 */
export function checkedDimensions(
  dimensions: readonly LayerDimension[],
  requested: Readonly<Record<string, string>>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const dimension of dimensions) {
    const key = dimension.identifier.toLowerCase();
    const value = requested[key];
    if (value !== undefined && dimension.values.includes(value)) result[key] = value;
    else if (value === undefined || value === '' || value === 'default') result[key] = dimension.default;
    else throw new DimensionValueError(key, value);
  }
  return result;
}

interface Instant {
  /** Wall-clock fields in the instant's own offset. */
  readonly fields: Date;
  /** `Z`, `+02:00` or '' (naive). */
  readonly offset: string;
}

interface Duration {
  readonly months: number;
  readonly ms: number;
}

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d{1,6}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const DURATION =
  /^P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

/** MapProxy `parse_datetime_range`: note it keeps going while `current < end + step`. */
function expandTimeRange(text: string): string[] {
  const parts = text.split('/');
  const [first = '', second = '', third = ''] = parts;
  if (parts.length === 1) return [formatInstant(parseInstant(first))];
  let start: Instant;
  let end: Instant;
  let step: Duration;
  if (parts.length === 2 && second.startsWith('P')) {
    step = parseDuration(second);
    start = parseInstant(first);
    end = add(start, step, 1);
  } else if (parts.length === 2 && first.startsWith('P')) {
    step = parseDuration(first);
    end = parseInstant(second);
    start = add(end, step, -1);
  } else if (parts.length === 3 && third.startsWith('P')) {
    step = parseDuration(third);
    start = parseInstant(first);
    end = parseInstant(second);
  } else {
    throw new Error(`unsupported time range: ${text}`);
  }
  if (step.months <= 0 && step.ms <= 0) throw new Error(`empty time step: ${text}`);
  const limit = add(end, step, 1).fields.getTime();
  const values: string[] = [];
  for (let current = start; current.fields.getTime() < limit; current = add(current, step, 1)) {
    values.push(formatInstant(current));
  }
  return values;
}

function parseInstant(text: string): Instant {
  const m = INSTANT.exec(text);
  if (m === null) throw new Error(`invalid ISO 8601 time: ${text}`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', offset = ''] = m;
  const ms = Math.round(Number(`0.${frac}`) * 1000);
  const fields = new Date(
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms),
  );
  return { fields, offset };
}

function parseDuration(text: string): Duration {
  const m = DURATION.exec(text);
  if (m === null || text === 'P' || text.endsWith('T')) throw new Error(`invalid ISO 8601 duration: ${text}`);
  const n = (i: number): number => Number((m[i] ?? '0').replace(',', '.'));
  const ms = (((n(3) * 7 + n(4)) * 24 + n(5)) * 60 + n(6)) * 60_000 + n(7) * 1000;
  return { months: n(1) * 12 + n(2), ms };
}

function add(instant: Instant, step: Duration, sign: 1 | -1): Instant {
  const fields = new Date(instant.fields.getTime());
  if (step.months !== 0) {
    // python-isodate: month arithmetic clamps the day to the target month's length
    const day = fields.getUTCDate();
    fields.setUTCDate(1);
    fields.setUTCMonth(fields.getUTCMonth() + sign * step.months);
    const lastDay = new Date(Date.UTC(fields.getUTCFullYear(), fields.getUTCMonth() + 1, 0)).getUTCDate();
    fields.setUTCDate(Math.min(day, lastDay));
  }
  fields.setTime(fields.getTime() + sign * step.ms);
  return { fields, offset: instant.offset };
}

/** Python `datetime.isoformat()` with `+00:00` written as `Z`. */
function formatInstant(instant: Instant): string {
  const iso = instant.fields.toISOString();
  const ms = instant.fields.getUTCMilliseconds();
  const base = iso.slice(0, 19) + (ms === 0 ? '' : `.${String(ms * 1000).padStart(6, '0')}`);
  if (instant.offset === '') return base;
  if (instant.offset === 'Z' || /^[+-]00:?00$/.test(instant.offset)) return `${base}Z`;
  const offset = instant.offset.includes(':')
    ? instant.offset
    : `${instant.offset.slice(0, 3)}:${instant.offset.slice(3)}`;
  return base + offset;
}
