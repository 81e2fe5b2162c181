/**
 * File-cache directory layouts (`directory_layout`): where a tile lives relative to the cache
 * directory, byte for byte as MapProxy's `cache/path.py`. Pure; no file-system access.
 */
import type { TileCoord } from '../grid/index.js';
import { CacheError } from './errors.js';
import type { Dimensions } from './types.js';

/** MapProxy's `directory_layout` values. */
export type DirectoryLayout = 'tc' | 'mp' | 'tms' | 'reverse_tms' | 'quadkey' | 'arcgis';

export const DIRECTORY_LAYOUTS: readonly DirectoryLayout[] = [
  'tc',
  'mp',
  'tms',
  'reverse_tms',
  'quadkey',
  'arcgis',
];

/** True for a layout name MapProxy knows. */
export function isDirectoryLayout(value: string): value is DirectoryLayout {
  return (DIRECTORY_LAYOUTS as readonly string[]).includes(value);
}

/** Python `"%0<width>d" % n` for non-negative integers. */
function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Python `"%0<width>x" % n`, lower case. */
function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** `os.path.join` over posix segments, skipping empty ones as Python does for '' parts. */
function join(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

/** The longest file name of ext4, xfs, btrfs and tmpfs (NAME_MAX). */
const MAX_FILE_NAME_BYTES = 255;

/**
 * The dimension sub-path: `time`/`elevation` (any non-`dim_` key) sorted first, then `dim_*`
 * sorted; keys lower-cased (MapProxy `NoCaseMultiDict`). Throws `CacheError`
 * (`CACHE_INVALID_DIMENSION`) for values that would escape the cache directory or make a name
 * longer than a file system allows.
 */
export function dimensionsPath(dimensions: Dimensions | undefined): string {
  if (dimensions === undefined) return '';
  const entries = Object.entries(dimensions).map(([k, v]) => [k.toLowerCase(), v] as const);
  if (entries.length === 0) return '';
  const predefined = entries.filter(([k]) => !k.startsWith('dim_')).sort(byKey);
  const custom = entries.filter(([k]) => k.startsWith('dim_')).sort(byKey);
  return [...predefined, ...custom]
    .map(([k, v]) => {
      // MapProxy >= 1.16 rejects these (path traversal through dimension values)
      if (v === '' || v.split(/[/\\]/).some((part) => part === '..' || part === '') || v.includes('\0')) {
        throw new CacheError(`invalid dimension value ${k}=${JSON.stringify(v)}`, 'CACHE_INVALID_DIMENSION');
      }
      const name = `${k}-${v}`;
      // a longer name fails every read and write of the tile (ENAMETOOLONG), and that error named
      // the cache's path to the client
      const bytes = Math.max(...name.split('/').map((part) => Buffer.byteLength(part)));
      if (bytes > MAX_FILE_NAME_BYTES) {
        throw new CacheError(
          `invalid dimension value for ${k}: too long for a cache directory name (${String(bytes)} bytes, at most ${String(MAX_FILE_NAME_BYTES)})`,
          'CACHE_INVALID_DIMENSION',
        );
      }
      return name;
    })
    .join('/');
}

function byKey(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** MapProxy `quadkey`: two bits per level, most significant first; level 0 is the empty key. */
export function quadKey(coord: TileCoord): string {
  let key = '';
  for (let i = coord.z; i > 0; i--) {
    const mask = 2 ** (i - 1);
    let digit = 0;
    if (Math.floor(coord.x / mask) % 2 === 1) digit += 1;
    if (Math.floor(coord.y / mask) % 2 === 1) digit += 2;
    key += String(digit);
  }
  return key;
}

/**
 * Path of a tile relative to the cache directory, `/`-separated, e.g. `tc` x3 y4 z2 →
 * `02/000/000/003/000/000/004.png`. `y` is in the grid's own origin (MapProxy stores it so).
 * `arcgis` and `quadkey` ignore dimensions, as MapProxy does.
 */
export function tileRelativePath(
  layout: DirectoryLayout,
  coord: TileCoord,
  extension: string,
  dimensions?: Dimensions,
): string {
  const { x, y, z } = coord;
  switch (layout) {
    case 'tc':
      return join(
        dimensionsPath(dimensions),
        pad(z, 2),
        pad(Math.trunc(x / 1000000), 3),
        pad(Math.trunc(x / 1000) % 1000, 3),
        pad(x % 1000, 3),
        pad(Math.trunc(y / 1000000), 3),
        pad(Math.trunc(y / 1000) % 1000, 3),
        `${pad(y % 1000, 3)}.${extension}`,
      );
    case 'mp':
      return join(
        dimensionsPath(dimensions),
        pad(z, 2),
        pad(Math.trunc(x / 10000), 4),
        pad(x % 10000, 4),
        pad(Math.trunc(y / 10000), 4),
        `${pad(y % 10000, 4)}.${extension}`,
      );
    case 'tms':
      return join(dimensionsPath(dimensions), String(z), String(x), `${y}.${extension}`);
    case 'reverse_tms':
      return join(dimensionsPath(dimensions), String(y), String(x), `${z}.${extension}`);
    case 'quadkey':
      return `${quadKey(coord)}.${extension}`;
    case 'arcgis':
      // R is the row (y), C the column (x); MapProxy's docs have them swapped
      return join(`L${pad(z, 2)}`, `R${hex(y, 8)}`, `C${hex(x, 8)}.${extension}`);
  }
}

/**
 * Directory holding all tiles of level `z`, relative to the cache directory, for level-wise
 * cleanups; null for layouts without level directories (`reverse_tms`, `quadkey`).
 */
export function levelRelativePath(
  layout: DirectoryLayout,
  z: number,
  dimensions?: Dimensions,
): string | null {
  switch (layout) {
    case 'tc':
    case 'mp':
      return join(dimensionsPath(dimensions), pad(z, 2));
    case 'tms':
      // MapProxy's tms layout shares level_location ("%02d"), which does not match its own tile paths
      return join(dimensionsPath(dimensions), pad(z, 2));
    case 'arcgis':
      return join(dimensionsPath(dimensions), `L${pad(z, 2)}`);
    case 'reverse_tms':
    case 'quadkey':
      return null;
  }
}
