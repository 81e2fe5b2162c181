/**
 * seed.yaml `coverages` → grid `Coverage`s (MapProxy `config/coverage.py` `load_coverage`): bbox,
 * WKT, GeoJSON and OGR files (with `where`), `ogr_datasource`, expire tiles,
 * `union`/`intersection`/`difference`.
 */
import type { MultiPolygon } from 'polygon-clipping';
import { CoverageFileError, loadDatasourceFile, loadOgrDatasource, loadWktFile } from '../app/index.js';
import type { CoverageConfig } from '../config/index.js';
import {
  combineCoverages,
  createBBoxCoverage,
  createPolygonCoverage,
  type Coverage,
  type CoverageOperation,
} from '../grid/index.js';
import { getSrs } from '../srs/index.js';
import { SeedError } from './errors.js';
import { loadExpireTiles } from './expire-tiles.js';

/** Runs a coverage file loader (files are read once, at start-up), failures as `SeedError`. */
function loadPolygonFile(load: () => MultiPolygon): MultiPolygon {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof CoverageFileError)) throw error;
    throw new SeedError(error.message, 'SEED_COVERAGE', { cause: error });
  }
}

function srsOf(code: string | undefined, key: string): ReturnType<typeof getSrs> {
  if (code === undefined) throw new SeedError(`coverage needs ${key}`, 'SEED_COVERAGE');
  try {
    return getSrs(code);
  } catch (error) {
    throw new SeedError(`unknown coverage srs ${code}`, 'SEED_COVERAGE', { cause: error });
  }
}

/**
 * Builds one coverage (file paths are absolute after config loading). Rejects with `SeedError`
 * (`SEED_COVERAGE`) for unreadable files and unsupported kinds, and with `GridError`
 * (`GRID_EMPTY_COVERAGE`) when a coverage has no area.
 */
export async function loadCoverage(conf: CoverageConfig): Promise<Coverage> {
  for (const operation of ['union', 'intersection', 'difference'] as const satisfies CoverageOperation[]) {
    const parts = conf[operation];
    if (parts !== undefined) return combineCoverages(operation, await Promise.all(parts.map(loadCoverage)));
  }
  if (conf.ogr_datasource !== undefined) {
    const { ogr_datasource: datasource, ogr_where: where } = conf;
    const srs = srsOf(conf.ogr_srs, 'ogr_srs');
    return createPolygonCoverage(
      loadPolygonFile(() => loadOgrDatasource(datasource, where)),
      srs,
    );
  }
  if (conf.polygons !== undefined) {
    const file = conf.polygons;
    return createPolygonCoverage(
      loadPolygonFile(() => loadWktFile(file)),
      srsOf(conf.polygons_srs, 'polygons_srs'),
    );
  }
  if (conf.bbox !== undefined) {
    return createBBoxCoverage({ bbox: conf.bbox, srs: srsOf(conf.bbox_srs ?? conf.srs, 'srs') });
  }
  if (conf.datasource !== undefined) {
    const srs = srsOf(conf.srs, 'srs');
    if (typeof conf.datasource !== 'string') return createBBoxCoverage({ bbox: conf.datasource, srs });
    const { datasource, where } = conf;
    return createPolygonCoverage(
      loadPolygonFile(() => loadDatasourceFile(datasource, where)),
      srs,
    );
  }
  if (conf.expire_tiles !== undefined) return loadExpireTiles(conf.expire_tiles);
  throw new SeedError('coverage has no bbox, datasource or polygons', 'SEED_COVERAGE');
}
