/**
 * `expire_tiles` coverages (MapProxy `util/geom.py` `load_expire_tiles`): `z/x/y` lines of web
 * mercator tiles (OSM numbering) read from a file or a directory tree, as one area in EPSG:3857.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createPolygonCoverage,
  createTileGrid,
  GLOBAL_WEBMERCATOR,
  parseExpireTiles,
  tileBBox,
  type PolygonCoverage,
  type TileCoord,
} from '../grid/index.js';
import { getSrs } from '../srs/index.js';
import { getLogger, type BBox } from '../util/index.js';
import { SeedError } from './errors.js';

const log = getLogger('mapproxy.config.coverage');

/** The files below `dir` (recursively, as `os.walk`: links to directories are not followed). */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const file = join(entry.parentPath, entry.name);
    if (
      entry.isFile() ||
      (entry.isSymbolicLink() && (await stat(file).catch(() => null))?.isFile() === true)
    ) {
      files.push(file);
    }
  }
  return files.sort();
}

/** Tiles of one file, `z/x/y` keyed for de-duplication. */
async function readTiles(file: string, into: Map<string, TileCoord>): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SeedError(`can't load expire tiles file ${file}`, 'SEED_COVERAGE', { cause: error });
  }
  const parsed = parseExpireTiles(text);
  if (parsed.errorLine !== null) log.warn(`found error in ${file}, skipping rest of file`);
  for (const { numbers, line } of parsed.lines) {
    const [z, x, y] = numbers;
    // MapProxy fails on these with a ValueError/IndexError traceback
    if (numbers.length !== 3 || z === undefined || x === undefined || y === undefined) {
      throw new SeedError(`${file}:${line}: expire tile is not z/x/y`, 'SEED_COVERAGE');
    }
    into.set(`${z}/${x}/${y}`, { x, y, z });
  }
}

/**
 * The coverage of the expire tiles in `path` (a file, or a directory read recursively): the
 * union of the tiles' boxes in EPSG:3857 (GLOBAL_WEBMERCATOR, origin nw). Rejects with
 * `SeedError` (`SEED_COVERAGE`) for a missing or unreadable path, a line that is not three numbers
 * or a level outside 0-19, and with `GridError` (`GRID_EMPTY_COVERAGE`) when no tile was found.
 */
export async function loadExpireTiles(path: string): Promise<PolygonCoverage> {
  const info = await stat(path).catch((error: unknown) => {
    throw new SeedError(`can't load expire tiles ${path}`, 'SEED_COVERAGE', { cause: error });
  });
  const files = info.isDirectory() ? await filesBelow(path) : [path];
  const tiles = new Map<string, TileCoord>();
  for (const file of files) await readTiles(file, tiles);

  const grid = createTileGrid(GLOBAL_WEBMERCATOR);
  const boxes = [...tiles.values()].map((tile): BBox => {
    if (grid.resolutions[tile.z] === undefined) {
      const levels = `0-${grid.resolutions.length - 1}`;
      throw new SeedError(
        `${path}: expire tile ${tile.z}/${tile.x}/${tile.y}: level not in ${levels}`,
        'SEED_COVERAGE',
      );
    }
    return tileBBox(grid, tile);
  });
  const srs = getSrs('EPSG:3857');
  const polygons = boxes.map(([minx, miny, maxx, maxy]) => [
    [
      [minx, miny],
      [maxx, miny],
      [maxx, maxy],
      [minx, maxy],
      [minx, miny],
    ] as [number, number][],
  ]);
  // a union of closed boxes: a box that only touches one of them intersects (shapely, as MapProxy)
  return createPolygonCoverage(polygons, srs);
}
