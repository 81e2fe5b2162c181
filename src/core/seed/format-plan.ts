/** `--summary` text of a seed plan, in MapProxy's `format_seed_task`/`format_cleanup_task` shape. */
import {
  levelGridSize,
  resolution,
  tileCoordAt,
  type Coverage,
  type MultiCoverage,
  type TileGrid,
} from '../grid/index.js';
import type { BBox, Size } from '../util/index.js';
import { getSrs } from '../srs/index.js';
import { hasMapProxyTimestamps, type PlannedTask, type SeedPlan } from './plan.js';

function formatTask(task: PlannedTask): string[] {
  const { grid } = task.manager;
  const verb = task.kind === 'seed' ? 'Seeding' : 'Cleaning up';
  const lines = [
    `  ${task.name}:`,
    `    ${verb} cache '${task.cacheName}' with grid '${task.gridName}' in ${grid.srs.code}`,
  ];
  const ll = llExtent(task.coverage);
  lines.push(`    Limited to coverage in: ${ll.map((v) => v.toFixed(5)).join(', ')} (EPSG:4326)`);
  lines.push(`    Levels: [${task.levels.join(', ')}]`);
  if (task.kind === 'seed') {
    // MapProxy's SeedConfiguration sets a refresh time to 0 on a cache without timestamps (every
    // tile is created again, as ours are); its carrying that 0 over to the next cache of the
    // task is not copied (docs/differences.md)
    const limit =
      task.limitSeconds !== null && !hasMapProxyTimestamps(task.manager.cache) ? 0 : task.limitSeconds;
    lines.push(
      `    Overwriting: ${limit === null ? 'no tiles' : limit === 0 ? 'all tiles' : `tiles older than ${pythonDateTime(limit)}`}`,
    );
  } else {
    const limit = task.limitSeconds ?? 0;
    lines.push(`    Remove: ${limit === 0 ? 'all tiles' : `tiles older than ${pythonDateTime(limit)}`}`);
  }
  // tile counts per level over the coverage's extent: exact for bboxes, an upper bound for polygons
  const bbox = task.coverage.extent(grid.srs);
  const bound = task.coverage.kind === 'bbox' ? '' : 'at most ';
  for (const level of task.levels) {
    const tiles = countTiles(grid, bbox, level, [1, 1]).blocks;
    const metas = countTiles(grid, bbox, level, task.manager.metaSize).blocks;
    lines.push(`    Level ${level}: ${bound}${tiles} tiles, ${bound}${metas} meta tiles`);
  }
  return lines;
}

/**
 * MapProxy's `coverage.extent.llbbox`: several coverages (a MultiCoverage) extend over the union
 * of their parts' EPSG:4326 extents (`MapExtent.__add__` merges llbboxes), each part transformed
 * to the grid and back on its own. The grid-SRS union transformed as one box is wider in a UTM
 * grid (coverages 5,47,15,55 and 20,60,25,65 into utm32: 2.36471, 46.41844, 27.78335, 65.85692
 * where MapProxy prints 4.23794, 46.84775, 27.78335, 65.44356).
 */
function llExtent(coverage: Coverage): BBox {
  if (coverage.kind !== 'multi') return coverage.extent(getSrs('EPSG:4326'));
  const extents = (coverage as MultiCoverage).parts.map(llExtent);
  return [
    Math.min(...extents.map((e) => e[0])),
    Math.min(...extents.map((e) => e[1])),
    Math.max(...extents.map((e) => e[2])),
    Math.max(...extents.map((e) => e[3])),
  ];
}

/**
 * `str(datetime.fromtimestamp(seconds))`, as MapProxy prints a task's time: local time, the
 * microseconds only when there are some (`2010-01-01 00:00:00`, `2011-05-06 07:08:09.123456`).
 * We printed ISO 8601 in UTC (`2010-01-01T00:00:00.000Z`).
 */
function pythonDateTime(seconds: number): string {
  const micros = Math.round(seconds * 1e6);
  const date = new Date(Math.floor(micros / 1000));
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  const text = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  const fraction = ((micros % 1e6) + 1e6) % 1e6;
  return fraction === 0 ? text : `${text}.${pad(fraction, 6)}`;
}

/**
 * The blocks of `step` tiles of `level` touched by `bbox`, counted without listing them: how many
 * (`blocks`), and how many tiles they hold within the grid (`tiles`).
 */
function countTiles(
  grid: TileGrid,
  bbox: BBox,
  level: number,
  step: Size,
): { blocks: number; tiles: number } {
  // as affectedLevelTiles: a tenth of a pixel less, so tiles only touched do not count
  const delta = resolution(grid, level) / 10;
  const a = tileCoordAt(grid, bbox[0] + delta, bbox[1] + delta, level);
  const b = tileCoordAt(grid, bbox[2] - delta, bbox[3] - delta, level);
  const [columns, rows] = levelGridSize(grid, level);
  const span = (p: number, q: number, size: number, s: number): { blocks: number; tiles: number } => {
    const m = Math.min(s, size);
    const lo = Math.floor(Math.max(0, Math.min(p, q)) / m);
    const hi = Math.floor(Math.min(size - 1, Math.max(p, q)) / m);
    if (hi < lo) return { blocks: 0, tiles: 0 };
    return { blocks: hi - lo + 1, tiles: Math.min((hi + 1) * m, size) - lo * m };
  };
  const x = span(a.x, b.x, columns, step[0]);
  const y = span(a.y, b.y, rows, step[1]);
  return { blocks: x.blocks * y.blocks, tiles: x.tiles * y.tiles };
}

/**
 * Tiles a seed of `task` writes at most: those of the meta tiles touching its coverage extent
 * (seeding writes whole meta tiles). Exact for bbox coverages, an upper bound for polygons.
 */
export function taskTileCount(task: PlannedTask): number {
  const { grid, metaSize } = task.manager;
  const bbox = task.coverage.extent(grid.srs);
  return task.levels.reduce((sum, level) => sum + countTiles(grid, bbox, level, metaSize).tiles, 0);
}

/** One task as `--summary` and the start of a run print it (MapProxy `format_seed_task`). */
export function formatPlannedTask(task: PlannedTask): string {
  return formatTask(task).join('\n');
}

/** MapProxy's `format_seed_task`/`format_cleanup_task` of a task whose coverage is False. */
export function emptyTaskLines(name: string): string[] {
  return [`  ${name}:`, '    Empty coverage given for this task', '    Skipped'];
}

/**
 * The plan as text: the seeding tasks, then the cleanup tasks, in seed.yaml order; a task whose
 * coverage has no area in MapProxy's words (`format_seed_task` of a task with coverage False; we
 * printed only a note after the tasks).
 */
export function formatSeedPlan(plan: SeedPlan): string {
  const section = (
    names: readonly string[],
    tasks: readonly PlannedTask[],
    empty: readonly string[],
  ): string[] =>
    names.flatMap((name) =>
      empty.includes(name)
        ? empty.filter((n) => n === name).flatMap(() => emptyTaskLines(name))
        : tasks.filter((task) => task.name === name).flatMap(formatTask),
    );
  return [
    '========== Seeding tasks ==========',
    ...section(plan.names.seeds, plan.seeds, plan.empty.seeds),
    '========== Cleanup tasks ==========',
    ...section(plan.names.cleanups, plan.cleanups, plan.empty.cleanups),
  ].join('\n');
}
