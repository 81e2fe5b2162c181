/**
 * The text of `mapproxy-util grids`, byte for byte as MapProxy 1.15 `script/grids.py` prints it:
 * Python reprs, `%r` column alignment, `%.2d` level numbers and `2.10M` tile counts.
 */
import { pyPercent, pyRepr, type PyValue } from '../util/index.js';
import type { GridDescription, GridsReport } from './describe-grids.js';

/** Renders a `describeGrids` report as output lines (without newlines). */
export function formatGridsReport(report: GridsReport): string[] {
  if (report.kind === 'list') return [...report.names];
  const lines: string[] = [];
  report.grids.forEach((grid, i) => {
    if (i !== 0) lines.push('');
    lines.push(...formatGrid(grid, report.coverageName));
  });
  return lines;
}

function formatGrid(grid: GridDescription, coverageName: string | null): string[] {
  const lines = [`${grid.name}:`, '    Configuration:'];
  for (const entry of grid.configuration) {
    lines.push(`        ${entry.key}${entry.isDefault ? '*' : ''}: ${pyRepr(entry.value)}`);
  }
  const ratio = grid.coverageRatio;
  if (ratio !== null) {
    lines.push(
      pyPercent('    Coverage: %s covers approx. %.4f%% of the grid BBOX', coverageName ?? '', ratio * 100),
    );
    lines.push('    Levels: Resolutions, # x * y = total tiles (approx. tiles within coverage)');
  } else {
    lines.push('    Levels: Resolutions, # x * y = total tiles');
  }
  // the resolution column is as wide as the longest repr, plus one blank after the comma
  const maxDigits = Math.max(...grid.levels.map((level) => pyRepr(level.resolution).length));
  grid.levels.forEach((level, i) => {
    const res: PyValue = level.resolution;
    const spaces = ' '.repeat(maxDigits - pyRepr(res).length + 1);
    const total = level.tilesX * level.tilesY;
    let line = pyPercent(
      '        %.2d:  %r,%s# %6d * %-6d = %10s',
      i,
      res,
      spaces,
      level.tilesX,
      level.tilesY,
      humanReadableNumber(total),
    );
    if (ratio !== null) line += pyPercent(' (%s)', humanReadableNumber(total * ratio));
    lines.push(line);
  });
  return lines;
}

/** grids.py `human_readable_number`: millions as `%7.2fM`, NaN as `?`, else the truncated int. */
function humanReadableNumber(num: number): string {
  if (num > 10 ** 6) return pyPercent('%7.2fM', num / 10 ** 6);
  if (Number.isNaN(num)) return '?';
  return pyPercent('%d', num);
}
