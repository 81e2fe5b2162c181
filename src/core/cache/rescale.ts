/**
 * `upscale_tiles`/`downscale_tiles`: a tile no source can provide, built from the tiles of coarser
 * or finer levels (MapProxy `TileManager._scaled_tile`), recursing level by level up to the limit.
 */
import { affectedLevelTiles, tileBBox, type TileCoord, type TileGrid } from '../grid/index.js';
import type { ImageFormatOptions } from '../image/index.js';
import { tilesToImage } from './stitch.js';
import { coordKey } from './tile-creator.js';
import type { TileResult } from './types.js';

export interface RescaleContext {
  readonly grid: TileGrid;
  readonly imageOptions: ImageFormatOptions;
  /** Negative: up to that many coarser levels (upscale); positive: finer levels (downscale). */
  readonly levels: number;
  /** Cached-or-created tiles, without rescaling. */
  readonly load: (coords: readonly TileCoord[]) => Promise<(TileResult | null)[]>;
  /** Results per tile within one request, so no tile is looked up twice. */
  readonly memo: Map<string, TileResult | null>;
}

/** The tile at `coord` rescaled from other levels, or null when none of them has data there. */
export function rescaleTile(context: RescaleContext, coord: TileCoord): Promise<TileResult | null> {
  const last = context.grid.resolutions.length - 1;
  const stop = Math.min(Math.max(coord.z + context.levels, 0), last);
  return scaled(context, coord, stop);
}

async function scaled(context: RescaleContext, coord: TileCoord, stop: number): Promise<TileResult | null> {
  const key = coordKey(coord);
  if (context.memo.has(key)) return context.memo.get(key) ?? null;
  context.memo.set(key, null);
  if (stop === coord.z) return null;
  const { grid } = context;
  const srcLevel = stop > coord.z ? coord.z + 1 : coord.z - 1;
  const bbox = tileBBox(grid, coord);
  const affected = affectedLevelTiles(grid, bbox, srcLevel);
  const present = affected.tiles.filter((t): t is TileCoord => t !== null);
  const loaded = await context.load(present);
  const byKey = new Map<string, TileResult | null>(present.map((c, i) => [coordKey(c), loaded[i] ?? null]));
  for (const c of present) {
    if (byKey.get(coordKey(c)) === null) byKey.set(coordKey(c), await scaled(context, c, stop));
  }
  if ([...byKey.values()].every((t) => t === null)) return null;

  const tiles = affected.tiles.map((c) => (c === null ? null : (byKey.get(coordKey(c)) ?? null)));
  const image = await tilesToImage(
    grid,
    tiles,
    affected.gridSize,
    affected.bbox,
    bbox,
    grid.tileSize,
    context.imageOptions,
  );
  const encoded = await image.encode(context.imageOptions);
  const result: TileResult = {
    coord,
    data: encoded.data,
    format: encoded.format,
    timestampMs: null,
    cacheable: true,
  };
  context.memo.set(key, result);
  return result;
}
