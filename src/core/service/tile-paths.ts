/**
 * Path parsing of the TMS-like services (MapProxy `request/tile.py` `TileRequest`, `TMSRequest`
 * and `service/kml.py` `KMLRequest`): `/<prefix>[/1.0.0]/<layer>[/<spec>]/<z>/<x>/<y>.<ext>`.
 */
import type { TileCoord } from '../grid/index.js';

/** A parsed tile request: public coordinates as written in the URL. */
export interface TilePath {
  readonly layer: string;
  /** The optional segment after the layer name (`EPSG900913` or a grid name). */
  readonly spec: string | undefined;
  readonly tile: TileCoord;
  /** The extension, e.g. `png`, or `kml` for KML documents. */
  readonly format: string;
}

// MapProxy's regexes: unanchored at the end (trailing text after the extension is ignored)
const TILE_PATH =
  /^(?<begin>\/[^/]+)\/(?:1\.0\.0\/)?(?<layer>[^/]+)\/(?:(?<spec>[^/]+)\/)?(?<z>-?\d+)\/(?<x>-?\d+)\/(?<y>-?\d+)\.(?<format>\w+)/;
const KML_TILE_PATH =
  /^\/kml\/(?<layer>[^/]+)\/(?:(?<spec>[^/]+)\/)?(?<z>-?\d+)\/(?<x>-?\d+)\/(?<y>-?\d+)\.(?<format>\w+)/;
const KML_INIT_PATH = /^\/kml\/(?<layer>[^/]+)(?:\/(?<spec>[^/]+))?\/?$/;
const TMS_CAPABILITIES_PATH = /^.*\/1\.0\.0\/?(?:\/(?<layer>[^/]+))?(?:\/(?<spec>[^/]+))?$/;
const TMS_ROOT_PATH = /^\/tms\/?$/;

/** `/tiles/...` or `/tms/...` tile path whose first segment is `prefix`, else null. */
export function parseTilePath(path: string, prefix: '/tiles' | '/tms'): TilePath | null {
  const match = TILE_PATH.exec(path);
  if (match?.groups?.begin !== prefix) return null;
  return fromGroups(match.groups);
}

/** `/kml/<layer>[/<spec>]/<z>/<x>/<y>.<ext>`, else null. */
export function parseKmlTilePath(path: string): TilePath | null {
  const match = KML_TILE_PATH.exec(path);
  return match?.groups === undefined ? null : fromGroups(match.groups);
}

/** `/kml/<layer>[/<spec>][/]`: the initial document, tile 0/0/0. */
export function parseKmlInitPath(path: string): TilePath | null {
  const groups = KML_INIT_PATH.exec(path)?.groups;
  if (groups?.layer === undefined) return null;
  return { layer: groups.layer, spec: groups.spec, tile: { x: 0, y: 0, z: 0 }, format: 'kml' };
}

/** A TMS capabilities path (`…/1.0.0[/<layer>[/<spec>]]`) with the optional layer, else null. */
export function parseTmsCapabilitiesPath(path: string): { layer?: string; spec?: string } | null {
  const groups = TMS_CAPABILITIES_PATH.exec(path)?.groups;
  if (groups === undefined) return null;
  return {
    ...(groups.layer === undefined ? {} : { layer: groups.layer }),
    ...(groups.spec === undefined ? {} : { spec: groups.spec }),
  };
}

/** `/tms` or `/tms/`. */
export function isTmsRootPath(path: string): boolean {
  return TMS_ROOT_PATH.test(path);
}

function fromGroups(groups: Record<string, string | undefined>): TilePath {
  return {
    layer: groups.layer ?? '',
    spec: groups.spec,
    tile: { x: Number(groups.x), y: Number(groups.y), z: Number(groups.z) },
    format: groups.format ?? '',
  };
}
