/** The grids the grid-math tables refer to, as in the MapProxy 1.15 calls that produced them. */
import {
  createTileGrid,
  GLOBAL_GEODETIC,
  GLOBAL_MERCATOR,
  GLOBAL_WEBMERCATOR,
  type TileCoord,
} from '../../src/core/grid/index.js';

export const TEST_GRIDS = {
  geo: createTileGrid(GLOBAL_GEODETIC),
  merc: createTileGrid(GLOBAL_MERCATOR),
  web: createTileGrid(GLOBAL_WEBMERCATOR),
  // a small nw grid whose bbox does not divide into whole tiles
  odd: createTileGrid({
    srs: 'EPSG:3857',
    bbox: [1000, 2000, 4840, 2768],
    res: [10, 5, 1, 0.1],
    origin: 'nw',
  }),
};
export type TestGridKey = keyof typeof TEST_GRIDS;

export type Triple = readonly [x: number, y: number, z: number];
/** `[x, y, z]` table notation to a TileCoord. */
export const coord = ([x, y, z]: Triple): TileCoord => ({ x, y, z });
