/**
 * Which resolutions of a grid are Python ints. MapProxy keeps a `res:` entry or `min_res` written
 * as `5700` an int, and `mapproxy-util grids` then prints `5700` instead of `5700.0`.
 */
import { PyInt, type PyValue } from '../util/index.js';
import type { PyConf } from './grid-conf-values.js';

/**
 * The resolution values that MapProxy holds as ints for the grid with the (built) conf `conf`,
 * following `align_resolutions_with` through `confOf`. Mirrors `grid.py` `tile_grid`/`resolutions`.
 */
export function intResolutions(
  conf: PyConf,
  confOf: (name: string) => PyConf,
  seen: ReadonlySet<PyConf> = new Set(),
): Set<number> {
  const ints = new Set<number>();
  if (seen.has(conf)) return ints;
  const res = conf.res;
  // 1. an explicit `res:` list is used as written (sorted)
  if (Array.isArray(res) && res.length > 0) {
    for (const value of res as readonly PyValue[]) if (value instanceof PyInt) ints.add(Number(value.value));
    return ints;
  }
  // 2. aligned grids reuse the other grid's values
  const alignWith = conf.align_resolutions_with;
  if (typeof alignWith === 'string')
    return intResolutions(confOf(alignWith), confOf, new Set([...seen, conf]));
  // 3. `resolutions()`: level 0 is min_res itself unless max_res and num_levels interpolate
  const minRes = conf.min_res;
  const interpolated = isTruthy(conf.max_res) && isTruthy(conf.num_levels);
  if (minRes instanceof PyInt && minRes.value !== 0n && !interpolated) ints.add(Number(minRes.value));
  return ints;
}

function isTruthy(value: PyValue | undefined): boolean {
  if (value === undefined || value === null) return false;
  if (value instanceof PyInt) return value.value !== 0n;
  return typeof value === 'number' ? value !== 0 : true;
}
