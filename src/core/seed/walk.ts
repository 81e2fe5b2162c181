/**
 * The seed tile walker (MapProxy `seed/seeder.py` `TileWalker`): depth-first through the meta tile
 * pyramid, checking the coverage before descending, with a resumable position (`ProgressPath`).
 */
import {
  affectedMetaTiles,
  createMetaGrid,
  metaTile,
  type Coverage,
  type TileCoord,
  type TileGrid,
} from '../grid/index.js';
import type { BBox, Size } from '../util/index.js';

/** Position in the walk: `[index, count]` of the meta tile chosen on each level from the top. */
export type ProgressPath = readonly (readonly [index: number, count: number])[];

/**
 * MapProxy `SeedProgress.can_skip`: true when `current` lies before `done` in walk order, so its
 * whole subtree was finished before `done` was recorded.
 */
export function canSkip(done: ProgressPath | null, current: ProgressPath | null): boolean {
  if (done === null || current === null) return false;
  if (done.length === 0) return true;
  for (let i = 0; ; i++) {
    const old = done[i];
    const cur = current[i];
    if (old === undefined || cur === undefined) return false;
    if (old[0] !== cur[0]) return old[0] > cur[0];
    if (old[1] !== cur[1]) return old[1] > cur[1];
  }
}

export interface WalkOptions {
  readonly grid: TileGrid;
  /** Meta tile size of the tile manager (`[1, 1]` for single tiles). */
  readonly metaSize: Size;
  /** Ascending levels to visit. */
  readonly levels: readonly number[];
  /** In the grid SRS. */
  readonly coverage: Coverage;
  /**
   * `-l N` (MapProxy `skip_geoms_for_last_levels`): no coverage check while fewer than N levels
   * are left to visit (this one included), so on the last N-1 levels every tile of a meta tile
   * whose parent intersected is visited. Default 0.
   */
  readonly skipGeomsForLastLevels?: number | undefined;
  /** Resume position from a progress file; subtrees before it are skipped. */
  readonly resumeFrom?: ProgressPath | null | undefined;
  /** Called for every meta tile (its first tile) on a visited level; awaited (backpressure). */
  readonly visit: (coord: TileCoord, path: ProgressPath, level: number) => Promise<void>;
  /** The fraction (0-1) of the walk done, after each step. */
  readonly onProgress?: ((fraction: number) => void) | undefined;
  /** Stops the walk between two meta tiles. */
  readonly signal?: AbortSignal | undefined;
}

type Intersection = 'contains' | 'intersects';

/** Keeps the last 64 visited meta tiles per level (MapProxy `seeded_tiles` deque). */
class Recent {
  readonly #keys: string[] = [];
  has(key: string): boolean {
    return this.#keys.includes(key);
  }
  add(key: string): void {
    this.#keys.unshift(key);
    if (this.#keys.length > 64) this.#keys.pop();
  }
}

/** Walks the pyramid; resolves when done or aborted (check `signal.aborted`). */
export async function walkTiles(options: WalkOptions): Promise<void> {
  const { grid, coverage, signal } = options;
  const meta = createMetaGrid(grid, options.metaSize, 0);
  const recent = new Map(options.levels.map((l) => [l, new Recent()]));
  const resume = options.resumeFrom ?? null;
  const skipGeoms = options.skipGeomsForLastLevels ?? 0;
  let progress = 0;
  const shares = [1];
  const step = (subtiles = 1): void => {
    progress += (shares.at(-1) ?? 1) / subtiles;
    options.onProgress?.(progress);
  };
  const intersects = (bbox: BBox): Intersection | null => {
    if (coverage.contains(bbox, grid.srs)) return 'contains';
    return coverage.intersects(bbox, grid.srs) ? 'intersects' : null;
  };

  const walk = async (
    bbox: BBox,
    levels: readonly number[],
    level: number,
    allSubtiles: boolean,
    path: ProgressPath,
  ): Promise<void> => {
    // positions one at a time: a large first level is walked, never listed whole
    const block = affectedMetaTiles(meta, bbox, level);
    const total = block.count;
    // MapProxy: `if len(levels) < skip_geoms_for_last_levels: all_subtiles = True`
    const unchecked = allSubtiles || levels.length < skipGeoms;
    const visitHere = levels[0] === level;
    const rest = visitHere ? levels.slice(1) : levels;
    let i = -1;
    for (const sub of block.positions()) {
      i += 1;
      if (signal?.aborted === true) return;
      const subBBox = sub === null ? null : metaTile(meta, sub).bbox;
      const hit = sub === null || subBBox === null ? null : unchecked ? 'contains' : intersects(subBBox);
      if (sub === null || subBBox === null || hit === null) {
        step(total);
        continue;
      }
      const subPath: ProgressPath = [...path, [i, total]];
      if (rest.length > 0) {
        // recurse to the next level, limited to the part of this tile inside the current bbox
        const limited: BBox = [
          Math.max(bbox[0], subBBox[0]),
          Math.max(bbox[1], subBBox[1]),
          Math.min(bbox[2], subBBox[2]),
          Math.min(bbox[3], subBBox[3]),
        ];
        shares.push((shares.at(-1) ?? 1) / total);
        if (canSkip(resume, subPath)) step();
        else await walk(limited, rest, level + 1, hit === 'contains', subPath);
        shares.pop();
      }
      if (!visitHere) continue;
      const key = `${sub.x},${sub.y}`;
      const seen = recent.get(level);
      if (seen?.has(key) === true) {
        if (rest.length === 0) step(total);
        continue;
      }
      seen?.add(key);
      await options.visit(sub, subPath, level);
      if (rest.length === 0) step(total);
    }
  };

  const first = options.levels[0];
  if (first === undefined) return;
  if (canSkip(resume, [])) {
    step();
    return;
  }
  await walk(coverage.extent(grid.srs), options.levels, 0, false, []);
}
