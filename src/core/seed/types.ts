/** What a seed run reports: task descriptions, progress events and results. */
import type { TileCoord } from '../grid/index.js';

/** A task as the caller sees it. */
export interface SeedTaskInfo {
  readonly kind: 'seed' | 'cleanup';
  readonly name: string;
  readonly cacheName: string;
  readonly gridName: string;
  readonly levels: readonly number[];
  /** Stable key (also used in progress files). */
  readonly id: string;
}

/** Counts of one finished (or interrupted) task. */
export interface TaskStats {
  /** Meta tiles created (seeds) or handled (cleanups). */
  readonly metaTiles: number;
  /** Tiles written (seeds; with `dryRun`: that would be written). */
  readonly tiles: number;
  /** Tiles removed (cleanups; with `dryRun`: that would be removed). */
  readonly removed: number;
  /** Meta tiles found cached and fresh. */
  readonly skipped: number;
  /** Meta tiles that could not be created after all retries. */
  readonly failures: readonly { readonly coord: TileCoord; readonly message: string }[];
  readonly seconds: number;
  /** False when the run was stopped (`signal`, `--duration`) before the task ended. */
  readonly complete: boolean;
}

/** Progress reports; the core never prints, callers render these. */
export type SeedEvent =
  | {
      readonly type: 'task-start';
      readonly task: SeedTaskInfo;
      readonly index: number;
      readonly count: number;
      /** The task as `--summary` prints it (MapProxy prints it as the task starts). */
      readonly summary: string;
      /** Tiles of the meta tiles touching the coverage extent (exact for bboxes, an upper bound for polygons). */
      readonly tilesPlanned: number;
    }
  | {
      readonly type: 'progress';
      readonly task: SeedTaskInfo;
      /** The level the walk is on. */
      readonly level: number;
      /** 0-1 of the walk (MapProxy's progress estimate). */
      readonly fraction: number;
      readonly metaTiles: number;
      readonly tiles: number;
      readonly removed: number;
      readonly tilesPerSecond: number;
      /** Seconds since the task started. */
      readonly elapsedSeconds: number;
      /** null while unknown. */
      readonly etaSeconds: number | null;
    }
  | { readonly type: 'task-end'; readonly task: SeedTaskInfo; readonly stats: TaskStats }
  | {
      readonly type: 'failure';
      readonly task: SeedTaskInfo;
      readonly coord: TileCoord;
      readonly message: string;
    }
  | {
      /** A meta tile failed and is tried again after `delaySeconds`; `retriesLeft` includes this retry. */
      readonly type: 'retry';
      readonly task: SeedTaskInfo;
      readonly coord: TileCoord;
      readonly retriesLeft: number;
      readonly delaySeconds: number;
      readonly message: string;
    }
  | { readonly type: 'note'; readonly message: string };
