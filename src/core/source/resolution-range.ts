/**
 * `min_res`/`max_res` and `min_scale`/`max_scale` of a source (MapProxy `ResolutionRange`):
 * outside the range the source answers null.
 */
import { OGC_PIXEL_SIZE_M } from '../grid/index.js';
import type { Srs } from '../srs/index.js';
import type { BBox, Size } from '../util/index.js';
import { SourceError } from './errors.js';
import type { ResolutionRangeOptions } from './options.js';

export interface ResolutionRange {
  /** Coarsest resolution served (inclusive), metres per pixel; null = unlimited. */
  readonly minRes: number | null;
  /** Finest resolution served, metres per pixel; null = unlimited. */
  readonly maxRes: number | null;
  /** True when a request of `bbox` (in `srs`) at `size` pixels lies within the range. */
  contains(bbox: BBox, size: Size, srs: Srs): boolean;
}

/** MapProxy `deg_to_m`: degrees to metres on the WGS84 equator. */
function degToM(deg: number): number {
  return (deg * (6378137 * 2 * Math.PI)) / 360;
}

/**
 * The range for the options, or null when none is set. Scales are OGC scale denominators
 * (0.28 mm pixels). Throws `SourceError` (`SOURCE_INVALID_CONFIG`) when resolutions and scales
 * are mixed or `min_res` is not coarser than `max_res`.
 */
export function createResolutionRange(
  sourceName: string,
  options: ResolutionRangeOptions,
): ResolutionRange | null {
  const { minRes, maxRes, minScale, maxScale } = options;
  const hasRes = Boolean(minRes) || Boolean(maxRes);
  const hasScale = Boolean(minScale) || Boolean(maxScale);
  if (!hasRes && !hasScale) return null;
  if (hasRes && hasScale) {
    throw new SourceError('requires either min_res/max_res or max_scale/min_scale', 'SOURCE_INVALID_CONFIG', {
      sourceName,
    });
  }
  const min = (hasRes ? minRes : maxScale === undefined ? undefined : maxScale * OGC_PIXEL_SIZE_M) || null;
  const max = (hasRes ? maxRes : minScale === undefined ? undefined : minScale * OGC_PIXEL_SIZE_M) || null;
  if (min !== null && max !== null && !(min > max)) {
    throw new SourceError(`min_res (${min}) must be larger than max_res (${max})`, 'SOURCE_INVALID_CONFIG', {
      sourceName,
    });
  }
  return {
    minRes: min,
    maxRes: max,
    contains: (bbox, size, srs) => {
      let width = bbox[2] - bbox[0];
      let height = bbox[3] - bbox[1];
      if (srs.isGeographic) {
        width = degToM(width);
        height = degToM(height);
      }
      const xRes = width / size[0];
      const yRes = height / size[1];
      // MapProxy: 1e-6 slack on the coarse end; at the fine end a resolution equal to max_res is still in
      if (min !== null && (min + 1e-6 <= xRes || min + 1e-6 <= yRes)) return false;
      if (max !== null && (max > xRes || max > yRes)) return false;
      return true;
    },
  };
}
