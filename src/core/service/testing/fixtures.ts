/** Test support: the grids the service tests use and a `ServiceRequest` builder. */
import {
  createTileGrid,
  GLOBAL_GEODETIC,
  GLOBAL_MERCATOR,
  GLOBAL_WEBMERCATOR,
  type TileGrid,
} from '../../grid/index.js';
import type { ServiceRequest } from '../types.js';

export const SCRIPT_URL = 'http://localhost:8080';

/** Grids by config name; the custom ones as in testdata/mapproxy-1.15/reference.yaml. */
export const GRIDS: Readonly<Record<string, TileGrid>> = {
  GLOBAL_WEBMERCATOR: createTileGrid(GLOBAL_WEBMERCATOR),
  GLOBAL_MERCATOR: createTileGrid(GLOBAL_MERCATOR),
  GLOBAL_GEODETIC: createTileGrid(GLOBAL_GEODETIC),
  utm32: createTileGrid({
    name: 'utm32',
    srs: 'EPSG:25832',
    bbox: [280000, 5200000, 920000, 6100000],
    origin: 'nw',
    res: [1000, 500, 250],
  }),
  gk3: createTileGrid({
    name: 'gk3',
    srs: 'EPSG:31467',
    bbox: [3300000, 5200000, 3700000, 6100000],
    origin: 'sw',
    numLevels: 4,
    tileSize: [512, 512],
  }),
  sqrt2merc: createTileGrid({
    name: 'sqrt2merc',
    srs: 'EPSG:900913',
    origin: 'sw',
    resFactor: 'sqrt2',
    numLevels: 7,
  }),
};

export function grid(name: string): TileGrid {
  const found = GRIDS[name];
  if (found === undefined) throw new Error(`no test grid ${name}`);
  return found;
}

/** A GET request for `path` with lower-cased query keys, as `server/` builds it. */
export function serviceRequest(
  path: string,
  query: Record<string, string> = {},
  scriptUrl = SCRIPT_URL,
): ServiceRequest {
  return {
    method: 'GET',
    path,
    query: Object.fromEntries(Object.entries(query).map(([key, value]) => [key.toLowerCase(), value])),
    headers: {},
    scriptUrl,
  };
}
