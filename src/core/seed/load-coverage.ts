/**
 * seed.yaml `coverages` → grid `Coverage`s (MapProxy `config/coverage.py` `load_coverage`): bbox,
 * WKT and GeoJSON files, expire tiles, `union`/`intersection`/`difference`. No OGR datasources.
 */
import { readFile } from 'node:fs/promises';
import { wktToGeoJSON } from '@terraformer/wkt';
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

type Ring = [number, number][];
type Polygons = Ring[][];

/** Polygons of a GeoJSON geometry, feature or collection; other geometry types are skipped. */
function geoJsonPolygons(value: unknown): Polygons {
  const v = value as { type?: string; coordinates?: unknown; geometry?: unknown; features?: unknown; geometries?: unknown };
  switch (v.type) {
    case 'Polygon':
      return [v.coordinates as Ring[]];
    case 'MultiPolygon':
      return v.coordinates as Ring[][];
    case 'Feature':
      return geoJsonPolygons(v.geometry);
    case 'FeatureCollection':
      return (v.features as unknown[]).flatMap(geoJsonPolygons);
    case 'GeometryCollection':
      return (v.geometries as unknown[]).flatMap(geoJsonPolygons);
    case undefined:
    default:
      return [];
  }
}

/** MapProxy `load_datasource`: WKT when the file starts with POLYGON/MULTIPOLYGON, GeoJSON for `{`. */
async function loadPolygonFile(file: string): Promise<Polygons> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SeedError(`can't load coverage file ${file}`, 'SEED_COVERAGE', { cause: error });
  }
  const head = text.trimStart().slice(0, 20).toLowerCase();
  try {
    if (head.startsWith('{')) return geoJsonPolygons(JSON.parse(text));
    if (head.startsWith('polygon') || head.startsWith('multipolygon')) {
      // MapProxy load_polygons: one WKT polygon per line
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .flatMap((line) => geoJsonPolygons(wktToGeoJSON(line.trim())));
    }
  } catch (error) {
    throw new SeedError(`invalid geometry in ${file}`, 'SEED_COVERAGE', { cause: error });
  }
  throw new SeedError(`${file}: only WKT and GeoJSON files are supported (no OGR)`, 'SEED_COVERAGE');
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
    throw new SeedError('ogr_datasource coverages are not supported', 'SEED_COVERAGE');
  }
  if (conf.polygons !== undefined) {
    return createPolygonCoverage(await loadPolygonFile(conf.polygons), srsOf(conf.polygons_srs, 'polygons_srs'));
  }
  if (conf.bbox !== undefined) {
    return createBBoxCoverage({ bbox: conf.bbox, srs: srsOf(conf.bbox_srs ?? conf.srs, 'srs') });
  }
  if (conf.datasource !== undefined) {
    const srs = srsOf(conf.srs, 'srs');
    if (typeof conf.datasource !== 'string') return createBBoxCoverage({ bbox: conf.datasource, srs });
    return createPolygonCoverage(await loadPolygonFile(conf.datasource), srs);
  }
  if (conf.expire_tiles !== undefined) return loadExpireTiles(conf.expire_tiles);
  throw new SeedError('coverage has no bbox, datasource or polygons', 'SEED_COVERAGE');
}
