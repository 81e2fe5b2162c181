/**
 * `expire_tiles` coverages of seed.yaml (MapProxy `util/geom.py` `load_expire_tiles`): the files are
 * read by app/ (one reader for seeds and sources); failures become `SeedError`s.
 */
import type { MultiPolygon } from 'polygon-clipping';
import { CoverageFileError, loadExpireTiles as loadExpireTilePolygons } from '../app/index.js';
import { createPolygonCoverage, type PolygonCoverage } from '../grid/index.js';
import { getSrs } from '../srs/index.js';
import { SeedError } from './errors.js';

/**
 * The coverage of the expire tiles in `path` (a file, or a directory read recursively): the
 * union of the tiles' boxes in EPSG:3857 (GLOBAL_WEBMERCATOR, origin nw). Rejects with
 * `SeedError` (`SEED_COVERAGE`) for a missing or unreadable path, a line that is not three numbers
 * or a level outside 0-19, and with `GridError` (`GRID_EMPTY_COVERAGE`) when no tile was found.
 */
export async function loadExpireTiles(path: string): Promise<PolygonCoverage> {
  let polygons: MultiPolygon;
  try {
    polygons = loadExpireTilePolygons(path);
  } catch (error) {
    if (!(error instanceof CoverageFileError)) throw error;
    throw new SeedError(error.message, 'SEED_COVERAGE', { cause: error });
  }
  return Promise.resolve(createPolygonCoverage(polygons, getSrs('EPSG:3857')));
}
