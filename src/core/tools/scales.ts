/**
 * `mapproxy-util scales`: scale denominators <-> resolutions as the exact text MapProxy 1.15
 * `script/scales.py` prints (plain table or a `res: [...]` snippet for a grid configuration).
 */
// the pure scale math directly, not through grid/index.js: that one brings srs and proj4 (~0.1 s of start-up)
import { OGC_DPI, resolutionToScale, scaleToResolution, type ResolutionUnit } from '../grid/scales.js';
import { pyPercent } from '../util/index.js';
import { ToolsError } from './errors.js';
import {
  fillValues,
  parsePyFloat,
  parsePyInt,
  parseValues,
  repeatedValues,
  valuesFromText,
} from './scale-values.js';

/** Options of `describeScales`, mirroring the `mapproxy-util scales` flags. */
export interface ScalesOptions {
  /** Scale denominators (or resolutions with `resToScale`); `['-']` reads them from `stdin`. */
  readonly values: readonly string[];
  /** `-l`: number of levels; values are halved to fill up. Default 1. */
  readonly levels?: string | number | undefined;
  /** `-d`: DPI as a number or `OGC` (0.28 mm pixels, about 90.7). Default `OGC`. */
  readonly dpi?: string | undefined;
  /** `--unit`: resolutions in metres (`m`, default) or degrees (`d`) per pixel. */
  readonly unit?: ResolutionUnit | undefined;
  /** `--eval`: values are arithmetic expressions such as `360/256`. */
  readonly evaluate?: boolean | undefined;
  /** `--repeat`: cycle through the values for `levels` entries, each round divided by 10. */
  readonly repeat?: boolean | undefined;
  /** `--res-to-scale`: the values are resolutions; print scale denominators. */
  readonly resToScale?: boolean | undefined;
  /** `--as-res-config`: print a `res: [...]` block for a grid configuration. */
  readonly asResConfig?: boolean | undefined;
  /** The text of standard input, needed when `values` is `['-']`. */
  readonly stdin?: string | undefined;
}

/**
 * `-d/--dpi`: `OGC` or a number of dots per inch above 0. MapProxy 1.15 fails on 0 with a
 * ZeroDivisionError traceback and prints negative resolutions for a negative value; we printed `inf`.
 */
function parseDpi(text: string): number {
  if (text === 'OGC') return OGC_DPI;
  let dpi = Number.NaN;
  try {
    dpi = parsePyFloat(text);
  } catch {
    // the message below names the option; Python's ("could not convert string to float") does not
  }
  if (!Number.isFinite(dpi) || dpi <= 0) {
    throw new ToolsError(
      `invalid --dpi '${text}': give the dots per inch, a number above 0 (e.g. 96), or OGC (0.28 mm pixels)`,
      'TOOLS_INVALID_VALUE',
    );
  }
  return dpi;
}

/**
 * Computes the table `mapproxy-util scales` prints and returns its lines (without newlines).
 * Resolutions are in map units (metres or degrees) per pixel. Values are sorted from the largest,
 * as MapProxy does. Throws `ToolsError` (`TOOLS_INVALID_VALUE`) for a value, DPI or level count
 * Python would not parse.
 */
export function describeScales(options: ScalesOptions): string[] {
  const levelOption = options.levels ?? 1;
  let levels = typeof levelOption === 'number' ? levelOption : parsePyInt(levelOption, '-l');
  levels = Math.max(levels, options.values.length);
  const dpi = parseDpi(options.dpi ?? 'OGC');

  // 1. values: stdin, --eval or plain floats; sorted largest first like MapProxy
  let values =
    options.values[0] === '-'
      ? valuesFromText(options.stdin ?? '')
      : parseValues(options.values, options.evaluate ?? false);
  values.sort((a, b) => b - a);

  // 2. --repeat cycles, otherwise the last value is halved up to --levels
  if (options.repeat) values = repeatedValues(values, levels);
  if (values.length < levels) values = fillValues(values, levels);

  // 3. one line per value: resolution first, then level and scale
  const unit = options.unit ?? 'm';
  const lines: string[] = [];
  if (options.asResConfig) {
    lines.push('    res: [');
    lines.push(pyPercent('         #  res            level     scale @%.1f DPI', dpi));
  }
  values.forEach((value, level) => {
    const computed = options.resToScale
      ? resolutionToScale(value, dpi, unit)
      : scaleToResolution(value, dpi, unit);
    const format = options.asResConfig ? '    %20.10f, # %2d %20.8f' : '%20.10f # %2d %20.8f';
    lines.push(pyPercent(format, computed, level, value));
  });
  if (options.asResConfig) lines.push('    ]');
  return lines;
}
