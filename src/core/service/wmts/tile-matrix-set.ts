/**
 * WMTS TileMatrixSets from tile grids (MapProxy `service/wmts.py` `TileMatrixSet`): every level,
 * top-left corner in the CRS's axis order, scale denominators from the 0.28 mm standard pixel.
 */
import { originTile, tileBBox, type TileGrid } from '../../grid/index.js';
import type { Size } from '../../util/index.js';

/** MapProxy: "calculated from well-known scale set GoogleCRS84Quad". */
const METERS_PER_DEGREE = 111319.4907932736;

export interface TileMatrix {
  /** `%02d` of the level, as MapProxy names grid levels (`00`, `01`, ...). */
  readonly identifier: string;
  readonly scaleDenominator: number;
  /** The top-left corner in the CRS's axis order (northing first for NE systems like EPSG:31467). */
  readonly topLeftCorner: readonly [number, number];
  readonly tileSize: Size;
  /** `[MatrixWidth, MatrixHeight]` in tiles. */
  readonly matrixSize: Size;
}

export interface TileMatrixSet {
  /** The grid name. */
  readonly identifier: string;
  readonly supportedCrs: string;
  readonly matrices: readonly TileMatrix[];
}

/** The matrix set of `grid`; the grid must support access with the `nw` origin. */
export function tileMatrixSet(identifier: string, grid: TileGrid): TileMatrixSet {
  const metersPerUnit = grid.srs.isGeographic ? METERS_PER_DEGREE : 1;
  const matrices = grid.resolutions.map((res, level): TileMatrix => {
    const bbox = tileBBox(grid, originTile(grid, level, 'ul'));
    return {
      identifier: String(level).padStart(2, '0'),
      // same operation order as MapProxy so the digits match: res / (0.28 / 1000) * meter_per_unit
      scaleDenominator: (res / (0.28 / 1000)) * metersPerUnit,
      topLeftCorner: grid.srs.isAxisOrderNE ? [bbox[3], bbox[0]] : [bbox[0], bbox[3]],
      tileSize: grid.tileSize,
      matrixSize: grid.gridSizes[level] ?? [0, 0],
    };
  });
  return { identifier, supportedCrs: grid.srs.code, matrices };
}
