/** The levels of a seed or cleanup task on one grid (MapProxy `seed/config.py` `Levels*`). */
import type { SeedTaskConfig } from '../config/index.js';
import { closestLevel, type TileGrid } from '../grid/index.js';

function isList(value: unknown): value is readonly number[] {
  return Array.isArray(value);
}

/**
 * `levels` (a list or `from`/`to`) or `resolutions` (a list or `from`/`to`) of a task as sorted
 * level numbers of `grid`; every level when neither is given. Out-of-range list entries are dropped.
 */
export function taskLevels(conf: Pick<SeedTaskConfig, 'levels' | 'resolutions'>, grid: TileGrid): number[] {
  const count = grid.resolutions.length;
  const range = (from: number, to: number): number[] =>
    Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
  const { levels, resolutions } = conf;
  if (isList(levels) && levels.length > 0) {
    return [...new Set(levels.filter((l) => l >= 0 && l <= count - 1))].sort((a, b) => a - b);
  }
  if (levels !== undefined && !isList(levels)) {
    const span = levels as { from?: number; to?: number };
    return range(span.from ?? 0, Math.min(span.to ?? 999, count - 1));
  }
  if (isList(resolutions) && resolutions.length > 0) {
    return [...new Set(resolutions.map((r) => closestLevel(grid, r)))].sort((a, b) => a - b);
  }
  if (resolutions !== undefined && !isList(resolutions)) {
    const span = resolutions as { from?: number; to?: number };
    const from = span.from === undefined ? 0 : closestLevel(grid, span.from);
    const to = span.to === undefined ? count - 1 : closestLevel(grid, span.to);
    return range(from, to);
  }
  return range(0, count - 1);
}
