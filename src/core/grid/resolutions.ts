/**
 * The resolution list of a grid from min_res/max_res/num_levels/res_factor (MapProxy 1.15
 * `grid.py` `resolutions` and `aligned_resolutions`).
 */
import { bboxHeight, bboxWidth, type BBox, type Size } from '../util/index.js';

/** `res_factor`: a number or `'sqrt2'` (a level between each power-of-two level). */
export type ResFactor = number | 'sqrt2';

export interface ResolutionOptions {
  readonly minRes?: number | undefined;
  readonly maxRes?: number | undefined;
  readonly resFactor?: ResFactor | undefined;
  readonly numLevels?: number | undefined;
}

/** The resolution that shows all of `bbox` in one tile: `max(width / tile_w, height / tile_h)`. */
export function singleTileResolution(bbox: BBox, tileSize: Size): number {
  return Math.max(bboxWidth(bbox) / tileSize[0], bboxHeight(bbox) / tileSize[1]);
}

/**
 * Resolutions, coarsest first. Zero values count as unset, as in MapProxy's truthiness checks.
 * - `minRes` defaults to `singleTileResolution`;
 * - with `maxRes` and `numLevels`: log-spaced from minRes to maxRes, both included;
 * - with `maxRes` alone: divide by resFactor while the result stays above maxRes;
 * - else `numLevels` (default 20, 40 for `'sqrt2'`) levels, each resFactor finer.
 */
export function computeResolutions(bbox: BBox, tileSize: Size, options: ResolutionOptions): number[] {
  const factor = resFactorValue(options.resFactor);
  const minRes = options.minRes || singleTileResolution(bbox, tileSize);
  const { maxRes, numLevels } = options;
  if (maxRes) {
    if (numLevels) {
      const step = (Math.log10(minRes) - Math.log10(maxRes)) / (numLevels - 1);
      return Array.from({ length: numLevels }, (_, i) => 10 ** (Math.log10(minRes) - step * i));
    }
    const res = [minRes];
    for (let next = minRes / factor; maxRes < next; next /= factor) res.push(next);
    return res;
  }
  const levels = numLevels || (factor === Math.SQRT2 ? 40 : 20);
  const res = [minRes];
  while (res.length < levels) res.push((res.at(-1) ?? minRes) / factor);
  return res;
}

/**
 * Resolutions taken from another grid (`align_resolutions_with`): its levels between minRes
 * (default: one tile for `bbox`) and maxRes, at most numLevels, then thinned (factor 2 from a sqrt2
 * grid) or doubled up (sqrt2 from a factor-2 grid) like MapProxy. Returns null when fewer than two
 * levels remain (MapProxy fails with an IndexError there).
 */
export function alignedResolutions(
  base: readonly number[],
  bbox: BBox,
  tileSize: Size,
  options: ResolutionOptions,
): number[] | null {
  const minRes = options.minRes || singleTileResolution(bbox, tileSize);
  let res = base.filter((r) => r <= minRes);
  const { maxRes, numLevels } = options;
  if (maxRes) res = res.filter((r) => r >= maxRes);
  if (numLevels) res = res.slice(0, numLevels);
  const [first, second] = res;
  if (first === undefined || second === undefined) return null;
  const calculated = round8(first / second);
  const resFactor = options.resFactor ?? 2;
  if (resFactor === 'sqrt2' && calculated !== round8(Math.SQRT2)) {
    if (calculated === 2) res = res.flatMap((r) => [r, r / Math.SQRT2]);
  } else if (resFactor === 2 && calculated !== 2) {
    if (calculated === round8(Math.SQRT2)) res = res.filter((_, i) => i % 2 === 0);
  }
  return res;
}

function resFactorValue(resFactor: ResFactor | undefined): number {
  if (resFactor === undefined) return 2;
  return resFactor === 'sqrt2' ? Math.SQRT2 : resFactor;
}

function round8(x: number): number {
  return Number(x.toFixed(8));
}
