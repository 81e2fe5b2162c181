/** Map sources: WMS, tile (XYZ/TMS/quadkey), debug and blank sources behind one interface. */
export type { MapQuery, MapSource, GetMapOptions } from './types.js';
