/**
 * Which cached level serves a request resolution (MapProxy `TileGrid.closest_level`), honouring
 * `stretch_factor` and `threshold_res`.
 */
import type { TileGrid } from './tile-grid.js';

/**
 * The level for a request at `res` (map units per pixel): the finest level whose resolution is
 * at most `res * stretchFactor`, unless a `thresholdRes` switch point decides first. Requests
 * coarser than level 0 get level 0; finer than the last level get the last level.
 */
export function closestLevel(grid: TileGrid, res: number): number {
  const resolutions = grid.resolutions;
  let prevRes = resolutions[0] ?? 0;
  const thresholds = grid.thresholdRes ? [...grid.thresholdRes] : [];
  let threshold = thresholds.pop();
  // skip thresholds above the first resolution
  while (threshold !== undefined && threshold > prevRes && thresholds.length > 0)
    threshold = thresholds.pop();

  let candidate: number | null = null;
  let level = 0;
  for (; level < resolutions.length; level++) {
    const levelRes = resolutions[level] ?? 0;
    // MapProxy tests `if threshold and ...`: a zero threshold counts as none
    if (threshold && prevRes > threshold && threshold >= levelRes) {
      if (res > threshold) return level - 1;
      if (res >= levelRes) return level;
      threshold = thresholds.pop();
    }
    // use the previous level within stretch_factor unless this level is still coarser than res
    if (candidate !== null && levelRes < res) return candidate;
    if (levelRes <= res * grid.stretchFactor) candidate = level;
    prevRes = levelRes;
  }
  return level - 1;
}

/**
 * The level whose resolution equals `res` within `relTolerance` (default 1e-9), or null. For
 * clients that ask for a level by resolution (seeding, WMTS scale denominators).
 */
export function levelOfResolution(grid: TileGrid, res: number, relTolerance = 1e-9): number | null {
  const level = grid.resolutions.findIndex((r) => Math.abs(r - res) <= relTolerance * r);
  return level === -1 ? null : level;
}
