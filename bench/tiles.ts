/**
 * Tile URL paths of the bench layer `osm` in GLOBAL_WEBMERCATOR for TMS, WMTS REST and WMTS KVP.
 * Levels are always the grid's own levels; each protocol's numbering is applied here.
 */

/** The tile protocols a scenario can speak. */
export type TileProtocol = 'tms' | 'wmts-rest' | 'wmts-kvp';

/** A tile of GLOBAL_WEBMERCATOR; `y` counts from the top (the grid's origin is nw). */
export interface GridTile {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** Side length of the 4x4 meta tiles the bench configuration uses. */
export const META_SIZE = 4;

/**
 * Every tile of levels `from..to`, level by level, row by row (the order a map client
 * scanning the world would ask in). TMS cannot address grid level 0: its global-mercator
 * profile starts with 2x2 tiles (MapProxy hides the first level), so `tms` skips level 0.
 */
export function gridTiles(protocol: TileProtocol, [from, to]: readonly [number, number]): GridTile[] {
  const tiles: GridTile[] = [];
  for (let z = protocol === 'tms' ? Math.max(from, 1) : from; z <= to; z++) {
    const side = 2 ** z;
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) tiles.push({ x, y, z });
  }
  return tiles;
}

/** The request path (with query) of `tile`; `layer` is the layer name of the bench configuration. */
export function tilePath(protocol: TileProtocol, tile: GridTile, layer = 'osm'): string {
  const { x, y, z } = tile;
  switch (protocol) {
    case 'tms':
      // TMS profile: public level = grid level - 1; rows count from the bottom
      return `/tms/1.0.0/${layer}/EPSG3857/${z - 1}/${x}/${2 ** z - 1 - y}.png`;
    case 'wmts-rest':
      return `/wmts/${layer}/GLOBAL_WEBMERCATOR/${z}/${x}/${y}.png`;
    case 'wmts-kvp':
      return (
        `/service?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}&STYLE=` +
        `&TILEMATRIXSET=GLOBAL_WEBMERCATOR&TILEMATRIX=${String(z).padStart(2, '0')}` +
        `&TILEROW=${y}&TILECOL=${x}&FORMAT=image/png`
      );
  }
}

/** The number of distinct 4x4 meta tiles `tiles` fall into: the upstream requests a cold run should cause. */
export function metaTileCount(tiles: readonly GridTile[]): number {
  return new Set(tiles.map((t) => `${t.z}/${Math.floor(t.x / META_SIZE)}/${Math.floor(t.y / META_SIZE)}`))
    .size;
}

/** A deterministic shuffle (so runs are comparable), spreading connections over many tiles. */
export function shuffled<T>(items: readonly T[], seed = 42): T[] {
  const out = [...items];
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
