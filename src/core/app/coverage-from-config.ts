/**
 * A config `coverage` section → grid `Coverage` (MapProxy `config/coverage.py` `load_coverage`):
 * bbox, bbox/WKT/GeoJSON/OGR `datasource` (with `where`), `ogr_datasource`, `polygons`, `expire_tiles`,
 * union/intersection/difference.
 */
import type { MultiPolygon } from 'polygon-clipping';
import {
  configErrorAt,
  type ConfigPath,
  type CoverageConfig,
  type LoadedConfig,
  type LoadedSeedConfig,
} from '../config/index.js';
import {
  combineCoverages,
  createBBoxCoverage,
  createPolygonCoverage,
  GridError,
  type Coverage,
  type CoverageOperation,
} from '../grid/index.js';
import { getSrs, type Srs } from '../srs/index.js';
import {
  CoverageFileError,
  loadDatasourceFile,
  loadExpireTiles,
  loadOgrDatasource,
  loadWktFile,
} from './coverage-files.js';

/**
 * Turns a problem into the error to throw: `path` is relative to the coverage section (e.g.
 * `['union', 1, 'datasource']`).
 */
export type CoverageFailure = (
  path: ConfigPath,
  message: string,
  options: { readonly cause?: unknown },
) => Error;

// built coverages by config section (frozen, so identity is stable): sources, tagged sources and
// layer extents share one coverage and read its files once
const built = new WeakMap<CoverageConfig, Coverage>();

/**
 * The coverage of the section at `path` of `loaded` (e.g. `['sources', 'osm', 'coverage']`),
 * built once per section. Throws `ConfigError` (`CONFIG_INVALID_VALUE`) at the offending key for
 * unreadable files, ogr2ogr missing or failing, unknown SRS and empty geometries.
 */
export function configCoverage(
  loaded: Pick<LoadedConfig, 'locateNearest'>,
  path: ConfigPath,
  section: CoverageConfig,
): Coverage {
  let coverage = built.get(section);
  if (coverage === undefined) {
    coverage = coverageFromConfig(section, (rel, message, { cause }) =>
      configErrorAt(loaded, [...path, ...rel], message, 'CONFIG_INVALID_VALUE', { cause }),
    );
    built.set(section, coverage);
  }
  return coverage;
}

/**
 * The seed.yaml coverage `name` (MapProxy `SeedingConfiguration.coverage`: the same loader as
 * mapproxy.yaml's), or null when it has no area. Throws `ConfigError` (`CONFIG_INVALID_VALUE`) at
 * `coverages.<name>...` of the seed file, with the messages `configCoverage` gives in mapproxy.yaml.
 */
export function seedConfigCoverage(
  seed: Pick<LoadedSeedConfig, 'config' | 'locateNearest'>,
  name: string,
): Coverage | null {
  const section = seed.config.coverages[name];
  if (section === undefined)
    throw configErrorAt(seed, ['coverages', name], `unknown coverage ${name}`, 'CONFIG_UNKNOWN_REF');
  return seedingCoverage(section, (rel, message, { cause }) =>
    configErrorAt(seed, ['coverages', name, ...rel], message, 'CONFIG_INVALID_VALUE', { cause }),
  );
}

/**
 * `coverageFromConfig` for seeding: null instead of a failure when the coverage (or a part of it)
 * has no area, because MapProxy skips the tasks of such a coverage (`EmptyCoverageError`).
 */
export function seedingCoverage(conf: CoverageConfig, fail: CoverageFailure): Coverage | null {
  // the failure thrown is the last one made: every fail() is thrown at once
  const last = { isEmpty: false };
  try {
    return coverageFromConfig(conf, (path, message, options) => {
      last.isEmpty = options.cause instanceof GridError && options.cause.code === 'GRID_EMPTY_COVERAGE';
      return fail(path, message, options);
    });
  } catch (error) {
    if (last.isEmpty) return null;
    throw error;
  }
}

const OPERATIONS = ['union', 'intersection', 'difference'] as const satisfies CoverageOperation[];

/**
 * Builds the coverage of `conf` (file paths absolute, as after config loading). As in MapProxy,
 * `polygons` need `polygons_srs`, `ogr_datasource` needs `ogr_srs`, a bbox needs `bbox_srs` or
 * `srs` and a `datasource` needs `srs` (MapProxy: a KeyError; here a failure at the key). Files are read
 * synchronously (OGR data sources through ogr2ogr). Every problem (unreadable or empty file, unknown
 * SRS, ogr2ogr missing or failing, empty result of a set operation) goes through `fail` with the key it belongs to. `clip` is not
 * part of the result: callers read `conf.clip` (only the outermost one counts, as in MapProxy).
 */
export function coverageFromConfig(conf: CoverageConfig, fail: CoverageFailure): Coverage {
  for (const operation of OPERATIONS) {
    const parts = conf[operation];
    if (parts === undefined) continue;
    const coverages = parts.map((part, i) =>
      coverageFromConfig(part, (path, message, options) => fail([operation, i, ...path], message, options)),
    );
    return guarded(fail, [operation], () => combineCoverages(operation, coverages));
  }
  if (conf.ogr_datasource !== undefined) {
    // MapProxy: always OGR, even for WKT or GeoJSON files
    const srs = srsAt(fail, 'ogr_srs', conf.ogr_srs);
    const datasource = conf.ogr_datasource;
    return polygonsAt(fail, 'ogr_datasource', srs, () => loadOgrDatasource(datasource, conf.ogr_where));
  }
  if (conf.polygons !== undefined) {
    const srs = srsAt(fail, 'polygons_srs', conf.polygons_srs);
    const file = conf.polygons;
    return polygonsAt(fail, 'polygons', srs, () => loadWktFile(file));
  }
  if (conf.bbox !== undefined) {
    const srs = srsAt(fail, conf.bbox_srs === undefined ? 'srs' : 'bbox_srs', conf.bbox_srs ?? conf.srs);
    const bbox = conf.bbox;
    return guarded(fail, ['bbox'], () => createBBoxCoverage({ bbox, srs }));
  }
  if (conf.datasource !== undefined) {
    const datasource = conf.datasource;
    const srs = srsAt(fail, 'srs', conf.srs);
    if (typeof datasource !== 'string') {
      return guarded(fail, ['datasource'], () => createBBoxCoverage({ bbox: datasource, srs }));
    }
    return polygonsAt(fail, 'datasource', srs, () => loadDatasourceFile(datasource, conf.where));
  }
  if (conf.expire_tiles !== undefined) {
    const path = conf.expire_tiles;
    return polygonsAt(fail, 'expire_tiles', getSrs('EPSG:3857'), () => loadExpireTiles(path));
  }
  throw fail(
    [],
    'coverage needs bbox, datasource, polygons, expire_tiles, union, intersection or difference',
    {},
  );
}

function srsAt(fail: CoverageFailure, key: string, code: string | undefined): Srs {
  if (code === undefined) throw fail([key], `coverage needs ${key}`, {});
  try {
    return getSrs(code);
  } catch (error) {
    throw fail([key], `unknown coverage srs ${code}`, { cause: error });
  }
}

function polygonsAt(fail: CoverageFailure, key: string, srs: Srs, load: () => MultiPolygon): Coverage {
  let polygons: MultiPolygon;
  try {
    polygons = load();
  } catch (error) {
    if (!(error instanceof CoverageFileError)) throw error;
    throw fail([key], error.message, { cause: error });
  }
  return guarded(fail, [key], () => createPolygonCoverage(polygons, srs));
}

/** Runs a grid constructor and reports its `GridError` (empty geometry, bad bbox) at `path`. */
function guarded(fail: CoverageFailure, path: ConfigPath, build: () => Coverage): Coverage {
  try {
    return build();
  } catch (error) {
    throw fail(path, error instanceof Error ? error.message : String(error), { cause: error });
  }
}
