/**
 * The `TileGrid` value and `createTileGrid`, which resolves bbox, resolutions and per-level grid
 * sizes exactly like MapProxy 1.15 `grid.py` `tile_grid`. Tile math lives in tile-math.ts.
 */
import { getSrs, type Srs } from '../srs/index.js';
import { bboxHeight, bboxWidth, isValidBBox, type BBox, type Size } from '../util/index.js';
import { GridError } from './errors.js';
import { pyFloorDiv } from './py-math.js';
import { alignedResolutions, computeResolutions, type ResFactor } from './resolutions.js';

/** Where tile (0, 0) sits: lower-left (`ll`, TMS) or upper-left (`ul`, WMTS/XYZ). */
export type Origin = 'll' | 'ul';

/** Origin spellings accepted in configurations. */
export type OriginName = 'll' | 'sw' | 'ul' | 'nw';

/** Everything MapProxy's `grids.<name>` accepts, in camelCase. Units are those of the grid SRS. */
export interface GridOptions {
  readonly name?: string | undefined;
  /** Grid SRS code; default `EPSG:900913`. */
  readonly srs?: string | number | Srs | undefined;
  /** `[minx, miny, maxx, maxy]` (always W,S,E,N) in `bboxSrs` (default: the grid SRS). */
  readonly bbox?: BBox | string | undefined;
  readonly bboxSrs?: string | number | Srs | undefined;
  /** Explicit resolutions (any order); wins over every other resolution option. */
  readonly res?: readonly number[] | undefined;
  readonly resFactor?: ResFactor | undefined;
  readonly numLevels?: number | undefined;
  readonly minRes?: number | undefined;
  readonly maxRes?: number | undefined;
  /** `[width, height]` in pixels; default `[256, 256]`. */
  readonly tileSize?: Size | undefined;
  /** Default `ll` (MapProxy's default, despite its "will change in 2.0" warning). */
  readonly origin?: OriginName | undefined;
  readonly thresholdRes?: readonly number[] | undefined;
  /** Default 1.15. */
  readonly stretchFactor?: number | undefined;
  /** Default 4.0. */
  readonly maxShrinkFactor?: number | undefined;
  readonly alignResolutionsWith?: TileGrid | undefined;
}

/** A resolved, immutable tile grid. */
export interface TileGrid {
  readonly name: string | null;
  readonly srs: Srs;
  /** Extent in the grid SRS, x/y order. Tiles of a level may reach beyond it on the far sides. */
  readonly bbox: BBox;
  /** `[width, height]` of one tile in pixels. */
  readonly tileSize: Size;
  readonly origin: Origin;
  /** Map units per pixel, one entry per level, coarsest first. */
  readonly resolutions: readonly number[];
  /** `[columns, rows]` of tiles per level. */
  readonly gridSizes: readonly Size[];
  /** Explicit level-switch resolutions, ascending, or null. */
  readonly thresholdRes: readonly number[] | null;
  readonly stretchFactor: number;
  readonly maxShrinkFactor: number;
}

/** The extent of the spherical mercator world, ±20037508.342789244 m. */
export const MERCATOR_EXTENT: BBox = [
  -20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244,
];
const GEODETIC_EXTENT: BBox = [-180, -90, 180, 90];

/** Only these SRS have a default bbox (MapProxy `default_bboxs`); compared by exact code. */
const DEFAULT_BBOXES: ReadonlyMap<string, BBox> = new Map([
  ['EPSG:4326', GEODETIC_EXTENT],
  ['EPSG:900913', MERCATOR_EXTENT],
  ['EPSG:3857', MERCATOR_EXTENT],
  ['EPSG:102100', MERCATOR_EXTENT],
  ['EPSG:102113', MERCATOR_EXTENT],
]);

/** `ll`/`sw` -> `ll`, `ul`/`nw` -> `ul` (any case). Throws `GridError` for anything else. */
export function parseOrigin(origin: string | undefined): Origin {
  if (origin === undefined) return 'll';
  const lower = origin.toLowerCase();
  if (lower === 'll' || lower === 'sw') return 'll';
  if (lower === 'ul' || lower === 'nw') return 'ul';
  throw new GridError(`unknown origin value '${origin}'`, 'GRID_INVALID_OPTION', { key: 'origin' });
}

/** More levels than any grid uses: a factor 2 from the whole earth reaches 0 after ~1075 levels. */
const MAX_NUM_LEVELS = 1000;

/**
 * Builds a grid like MapProxy's `tile_grid()`. The bbox defaults only for EPSG:4326 and the
 * mercator codes; `bboxSrs` transforms it (16 points per edge) into the grid SRS.
 * Throws `GridError` with the offending YAML key in `key`: `GRID_MISSING_BBOX`,
 * `GRID_INVALID_OPTION`, `GRID_INVALID_BBOX`, `GRID_UNKNOWN_SRS` (the `SrsError` is the cause).
 */
export function createTileGrid(options: GridOptions = {}): TileGrid {
  const srs = toSrs(options.srs ?? 'EPSG:900913', 'srs');
  const tileSize = options.tileSize ?? [256, 256];
  if (!(
    tileSize[0] > 0 &&
    tileSize[1] > 0 &&
    Number.isInteger(tileSize[0]) &&
    Number.isInteger(tileSize[1])
  )) {
    throw new GridError(`invalid tile_size ${tileSize.join('x')}`, 'GRID_INVALID_OPTION', {
      key: 'tile_size',
    });
  }
  const { numLevels } = options;
  // 0 is MapProxy's "not given" (Python's falsy); a negative count made one level, and 1e9 levels
  // failed as "cannot build this configuration: Invalid array length" at no key
  if (
    numLevels !== undefined &&
    !(Number.isInteger(numLevels) && numLevels >= 0 && numLevels <= MAX_NUM_LEVELS)
  ) {
    throw new GridError(
      `invalid num_levels ${String(numLevels)}: expected 1 to ${String(MAX_NUM_LEVELS)} (or 0 for the default)`,
      'GRID_INVALID_OPTION',
      { key: 'num_levels' },
    );
  }
  const bbox = gridBBox(srs, options);
  const resolutions = gridResolutions(bbox, tileSize, options);
  if (resolutions.length === 0 || !resolutions.every((r) => r > 0 && Number.isFinite(r))) {
    // the first bad one, not all: 5000 levels of res_factor 2 listed 5000 values, the last ~3900 of them 0
    const bad = resolutions.findIndex((r) => !(r > 0 && Number.isFinite(r)));
    const listed =
      resolutions.length <= 8
        ? resolutions.join(', ')
        : `${String(resolutions[bad])} at level ${String(bad)} of ${String(resolutions.length)}`;
    throw new GridError(`invalid resolutions ${listed}`, 'GRID_INVALID_OPTION', {
      key: 'res',
    });
  }
  return Object.freeze({
    name: options.name ?? null,
    srs,
    bbox,
    tileSize,
    origin: parseOrigin(options.origin),
    resolutions: Object.freeze(resolutions),
    gridSizes: Object.freeze(resolutions.map((res) => levelGridSize(bbox, tileSize, res))),
    thresholdRes: options.thresholdRes?.length
      ? Object.freeze([...options.thresholdRes].sort((a, b) => a - b))
      : null,
    stretchFactor: options.stretchFactor ?? 1.15,
    maxShrinkFactor: options.maxShrinkFactor ?? 4.0,
  });
}

function toSrs(srs: string | number | Srs, key: 'srs' | 'bbox_srs'): Srs {
  if (typeof srs === 'object') return srs;
  try {
    return getSrs(srs);
  } catch (error) {
    throw new GridError(`unknown ${key} ${srs}`, 'GRID_UNKNOWN_SRS', { cause: error, key });
  }
}

function gridBBox(srs: Srs, options: GridOptions): BBox {
  const raw = options.bbox === undefined ? undefined : parseBBox(options.bbox);
  if (raw === undefined) {
    const fallback = DEFAULT_BBOXES.get(srs.code);
    if (fallback === undefined) {
      throw new GridError(`need a bbox for grid with ${srs.code}`, 'GRID_MISSING_BBOX', { key: 'bbox' });
    }
    return fallback;
  }
  const bbox =
    options.bboxSrs === undefined ? raw : transformGridBBox(raw, toSrs(options.bboxSrs, 'bbox_srs'), srs);
  if (!isValidBBox(bbox)) {
    throw new GridError(`invalid grid bbox ${bbox.join(',')} in ${srs.code}`, 'GRID_INVALID_BBOX', {
      key: 'bbox',
    });
  }
  return bbox;
}

function transformGridBBox(bbox: BBox, from: Srs, to: Srs): BBox {
  try {
    return from.transformBBox(to, bbox);
  } catch (error) {
    throw new GridError(`cannot transform bbox from ${from.code} to ${to.code}`, 'GRID_INVALID_BBOX', {
      cause: error,
      key: 'bbox',
    });
  }
}

function parseBBox(bbox: BBox | string): BBox | undefined {
  const values = typeof bbox === 'string' ? bbox.split(',').map(Number) : [...bbox];
  // MapProxy: `if not bbox` -> an empty list/string means "use the default"
  if (values.length === 0 || (typeof bbox === 'string' && bbox.trim() === '')) return undefined;
  const [minx, miny, maxx, maxy] = values;
  if (
    values.length !== 4 ||
    minx === undefined ||
    miny === undefined ||
    maxx === undefined ||
    maxy === undefined
  ) {
    throw new GridError(`bbox needs 4 values, got ${String(bbox)}`, 'GRID_INVALID_BBOX', { key: 'bbox' });
  }
  return [minx, miny, maxx, maxy];
}

function gridResolutions(bbox: BBox, tileSize: Size, options: GridOptions): number[] {
  if (options.res?.length) {
    if (
      options.minRes !== undefined ||
      options.maxRes !== undefined ||
      options.alignResolutionsWith !== undefined
    ) {
      throw new GridError(
        'res cannot be combined with min_res, max_res or align_resolutions_with',
        'GRID_INVALID_OPTION',
        { key: 'res' },
      );
    }
    return [...options.res].sort((a, b) => b - a);
  }
  if (options.alignResolutionsWith !== undefined) {
    const aligned = alignedResolutions(options.alignResolutionsWith.resolutions, bbox, tileSize, options);
    if (aligned === null) {
      throw new GridError('align_resolutions_with leaves fewer than two levels', 'GRID_INVALID_OPTION', {
        key: 'align_resolutions_with',
      });
    }
    return aligned;
  }
  return computeResolutions(bbox, tileSize, options);
}

/** MapProxy `_calc_grids`: `max(ceil((width // res) / tile_w), 1)` with Python's float floor division. */
function levelGridSize(bbox: BBox, tileSize: Size, res: number): Size {
  const x = Math.max(Math.ceil(pyFloorDiv(bboxWidth(bbox), res) / tileSize[0]), 1);
  const y = Math.max(Math.ceil(pyFloorDiv(bboxHeight(bbox), res) / tileSize[1]), 1);
  return [x, y];
}
