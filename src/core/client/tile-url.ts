/**
 * Tile URL templates with Python `%(name)s` placeholders, as MapProxy's `TileURLTemplate`
 * (`client/tile.py`): x, y, z, format, quadkey, tc_path, tms_path, arcgiscache_path, bbox.
 */
import { pyFixed, pyPercent, PyInt, type BBox } from '../util/index.js';

/** The placeholder names MapProxy fills in. */
export const TILE_URL_PLACEHOLDERS = [
  'x',
  'y',
  'z',
  'format',
  'quadkey',
  'tc_path',
  'tms_path',
  'arcgiscache_path',
  'bbox',
] as const;
export type TileUrlPlaceholder = (typeof TILE_URL_PLACEHOLDERS)[number];

const PLACEHOLDER = /%\(([^)]*)\)([-0 +#]*\d*(?:\.\d+)?[dfsr])|%%/g;

/** The placeholder names used in `template` (in order, with repeats). */
export function tileUrlPlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].flatMap((match) => (match[1] === undefined ? [] : [match[1]]));
}

/** Tile address in the source grid's own origin (what MapProxy's `%(y)s` is). */
export interface TileUrlCoord {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** `'%02d/%03d/%03d/%03d/%03d/%03d/%03d'`: z, then x and y split into millions/thousands/units. */
export function tileCachePath({ x, y, z }: TileUrlCoord): string {
  const parts = [
    Math.trunc(x / 1e6),
    Math.trunc(x / 1000) % 1000,
    x % 1000,
    Math.trunc(y / 1e6),
    Math.trunc(y / 1000) % 1000,
    y % 1000,
  ];
  return [String(z).padStart(2, '0'), ...parts.map((part) => String(part).padStart(3, '0'))].join('/');
}

/** `z/x/y`. */
export function tmsPath({ x, y, z }: TileUrlCoord): string {
  return `${z}/${x}/${y}`;
}

/** `L%02d/R%08x/C%08x` (row = y, column = x, lower-case hex). */
export function arcgisCachePath({ x, y, z }: TileUrlCoord): string {
  return `L${String(z).padStart(2, '0')}/R${y.toString(16).padStart(8, '0')}/C${x.toString(16).padStart(8, '0')}`;
}

/** Bing-style quadkey: one digit per level, `1` for the x bit plus `2` for the y bit. */
export function quadkey({ x, y, z }: TileUrlCoord): string {
  let key = '';
  for (let i = z; i > 0; i -= 1) {
    const mask = 1 << (i - 1);
    key += String(((x & mask) !== 0 ? 1 : 0) + ((y & mask) !== 0 ? 2 : 0));
  }
  return key;
}

/**
 * Fills `template` for `coord`. `format` is the file extension (`png`, `jpeg`); `bbox` (grid SRS,
 * x/y) is needed only when the template uses `%(bbox)s` and goes out as `'%.8f,%.8f,%.8f,%.8f'`.
 * Throws `RangeError` for an unknown placeholder or a `%(bbox)s` without bbox.
 */
export function expandTileUrl(template: string, coord: TileUrlCoord, format: string, bbox?: BBox): string {
  return template.replace(PLACEHOLDER, (match, name: string | undefined, spec: string | undefined) => {
    if (name === undefined || spec === undefined) return '%';
    return pyPercent(`%${spec}`, placeholderValue(name, coord, format, bbox));
  });
}

function placeholderValue(
  name: string,
  coord: TileUrlCoord,
  format: string,
  bbox: BBox | undefined,
): PyInt | string {
  switch (name) {
    case 'x':
      return new PyInt(coord.x);
    case 'y':
      return new PyInt(coord.y);
    case 'z':
      return new PyInt(coord.z);
    case 'format':
      return format;
    case 'quadkey':
      return quadkey(coord);
    case 'tc_path':
      return tileCachePath(coord);
    case 'tms_path':
      return tmsPath(coord);
    case 'arcgiscache_path':
      return arcgisCachePath(coord);
    case 'bbox':
      if (bbox === undefined) throw new RangeError('%(bbox)s needs the tile bbox');
      return bbox.map((value) => pyFixed(value, 8)).join(',');
    default:
      throw new RangeError(`unknown placeholder %(${name})s in tile URL template`);
  }
}
