/** Axis order lookup for EPSG codes (WMS 1.3.0 / WMTS); see axis-order-table.ts for the data. */
import { NORTH_EAST_EPSG_CODES } from './axis-order-table.js';

let northEast: Set<number> | null = null;

/** True when EPSG code `epsg` lists northing/latitude first in the EPSG database. */
export function isEpsgAxisOrderNE(epsg: number): boolean {
  if (northEast === null) {
    northEast = new Set();
    for (const entry of NORTH_EAST_EPSG_CODES) {
      if (typeof entry === 'number') northEast.add(entry);
      else for (let code = entry[0]; code <= entry[1]; code++) northEast.add(code);
    }
  }
  return northEast.has(epsg);
}
