/** The three grids every configuration has (MapProxy `config/defaults.py` `grids`). */
import type { GridOptions } from './tile-grid.js';

/** A default grid: only srs, origin and name; everything else takes the usual defaults. */
export type DefaultGridOptions = Pick<GridOptions, 'srs' | 'origin' | 'name'> & { readonly srs: string };

/** EPSG:4326, origin sw, bbox -180,-90,180,90, 20 levels from 1.40625 deg/px. */
export const GLOBAL_GEODETIC: DefaultGridOptions = Object.freeze({
  srs: 'EPSG:4326',
  origin: 'sw',
  name: 'GLOBAL_GEODETIC',
});
/** EPSG:900913, origin sw, mercator world bbox, 20 levels from 156543.03392804097 m/px. */
export const GLOBAL_MERCATOR: DefaultGridOptions = Object.freeze({
  srs: 'EPSG:900913',
  origin: 'sw',
  name: 'GLOBAL_MERCATOR',
});
/** EPSG:3857, origin nw (OSM/Google/WMTS numbering), otherwise as GLOBAL_MERCATOR. */
export const GLOBAL_WEBMERCATOR: DefaultGridOptions = Object.freeze({
  srs: 'EPSG:3857',
  origin: 'nw',
  name: 'GLOBAL_WEBMERCATOR',
});

/** The default grid definitions by name, in MapProxy's order. */
export const DEFAULT_GRIDS: Readonly<Record<string, DefaultGridOptions>> = Object.freeze({
  GLOBAL_GEODETIC,
  GLOBAL_MERCATOR,
  GLOBAL_WEBMERCATOR,
});
