/**
 * Reading coverage geometry files (MapProxy `util/geom.py`): WKT lines, GeoJSON, OGR data sources
 * (through ogr-datasource.ts) and expire-tile lists. Synchronous, because configurations are built
 * synchronously at startup.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { MultiPolygon, Polygon } from 'polygon-clipping';
import { createTileGrid, GLOBAL_WEBMERCATOR, parseExpireTiles, tileBBox } from '../grid/index.js';
import { getLogger, requireOnFirstUse } from '../util/index.js';
import { OgrError, readOgrDatasource } from './ogr-datasource.js';

/** @terraformer/wkt, required with the first WKT file: imported from ESM it cost every process that builds an app ~20 ms (Node's scan of its CommonJS bundle). */
const wkt = requireOnFirstUse<typeof import('@terraformer/wkt')>('@terraformer/wkt');

const log = getLogger('mapproxy.config.coverage');

/** Why a file could not be used: it (or ogr2ogr) could not be read or run, or its content is wrong. */
export class CoverageFileError extends Error {
  readonly reason: 'unreadable' | 'invalid';

  constructor(message: string, reason: CoverageFileError['reason'], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoverageFileError';
    this.reason = reason;
  }
}

/** Polygons of a GeoJSON geometry, feature or collection (MapProxy `load_geojson`); others are skipped. */
export function geoJsonPolygons(value: unknown): MultiPolygon {
  const v = (value ?? {}) as {
    type?: string;
    coordinates?: unknown;
    geometry?: unknown;
    features?: unknown;
    geometries?: unknown;
  };
  switch (v.type) {
    case 'Polygon':
      return [v.coordinates as Polygon];
    case 'MultiPolygon':
      return v.coordinates as MultiPolygon;
    case 'Feature':
      return geoJsonPolygons(v.geometry);
    case 'FeatureCollection':
      return Array.isArray(v.features) ? (v.features as unknown[]).flatMap(geoJsonPolygons) : [];
    case 'GeometryCollection':
      return Array.isArray(v.geometries) ? (v.geometries as unknown[]).flatMap(geoJsonPolygons) : [];
    case undefined:
    default:
      return [];
  }
}

/** MapProxy `load_polygon_lines`: one WKT (multi)polygon per non-empty line. */
export function wktPolygons(text: string): MultiPolygon {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .flatMap((line) => geoJsonPolygons(wkt().wktToGeoJSON(line)));
}

function readText(file: string): string {
  try {
    // MapProxy opens WKT files as utf-8-sig: drop a BOM
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    throw new CoverageFileError(`can't read coverage file ${file}`, 'unreadable', { cause: error });
  }
}

/** The first 50 bytes of `file` as MapProxy sniffs them, or `null` when it is not a file (`PG:...`). */
function fileHead(file: string): string | null {
  try {
    if (!statSync(file).isFile()) return null;
  } catch {
    return null;
  }
  try {
    const fd = openSync(file, 'r');
    try {
      const head = Buffer.alloc(50);
      return head.subarray(0, readSync(fd, head, 0, 50, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new CoverageFileError(`can't read coverage file ${file}`, 'unreadable', { cause: error });
  }
}

/**
 * MapProxy `load_datasource`: a WKT file (starts with POLYGON/MULTIPOLYGON) or, without `where`,
 * a GeoJSON file (starts with `{`); anything else, and every `where`, goes to OGR (MapProxy
 * `load_ogr_datasource`: the first layer, or the `where` query).
 */
export function loadDatasourceFile(file: string, where?: string): MultiPolygon {
  const head = fileHead(file)
    ?.replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (head !== undefined) {
    if (head.startsWith('polygon') || head.startsWith('multipolygon')) return loadWktFile(file);
    if (where === undefined && head.startsWith('{')) {
      const text = readText(file);
      try {
        return geoJsonPolygons(JSON.parse(text));
      } catch (error) {
        throw new CoverageFileError(`invalid geometry in ${file}`, 'invalid', { cause: error });
      }
    }
  }
  return loadOgrDatasource(file, where);
}

/** MapProxy `load_ogr_datasource`: the polygons of an OGR data source, whatever its format. */
export function loadOgrDatasource(datasource: string, where?: string): MultiPolygon {
  let collection: unknown;
  try {
    collection = readOgrDatasource(datasource, where);
  } catch (error) {
    if (error instanceof OgrError) throw new CoverageFileError(error.message, 'unreadable', { cause: error });
    throw new CoverageFileError(`invalid geometry in ${datasource}`, 'invalid', { cause: error });
  }
  return geoJsonPolygons(collection);
}

/** MapProxy `load_polygons` (the legacy `polygons` key): WKT lines only. */
export function loadWktFile(file: string): MultiPolygon {
  const text = readText(file);
  try {
    return wktPolygons(text);
  } catch (error) {
    throw new CoverageFileError(`invalid geometry in ${file}`, 'invalid', { cause: error });
  }
}

function readExpireFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CoverageFileError(`can't load expire tiles file ${file}`, 'unreadable', { cause: error });
  }
}

/**
 * MapProxy `load_expire_tiles`: `z/x/y` lines of web-mercator tiles (GLOBAL_WEBMERCATOR, origin
 * nw) in a file or, recursively, a directory, as EPSG:3857 squares. As in MapProxy, the first line
 * that is not a number list ends its file; a line of other than three numbers is an error.
 */
export function loadExpireTiles(path: string): MultiPolygon {
  let files: string[];
  try {
    files = statSync(path).isDirectory()
      ? readdirSync(path, { recursive: true, encoding: 'utf8' })
          .map((name) => join(path, name))
          .filter((file) => statSync(file).isFile())
      : [path];
  } catch (error) {
    throw new CoverageFileError(`can't read expire tiles ${path}`, 'unreadable', { cause: error });
  }
  const grid = createTileGrid(GLOBAL_WEBMERCATOR);
  const seen = new Set<string>();
  const polygons: MultiPolygon = [];
  for (const file of files) {
    // MapProxy's rules (a plain text read, no BOM handling): the first line that is not a number
    // list ends the file
    const parsed = parseExpireTiles(readExpireFile(file));
    if (parsed.errorLine !== null) log.warn(`found error in ${file}, skipping rest of file`);
    for (const { numbers, line } of parsed.lines) {
      const [z, x, y] = numbers;
      if (numbers.length !== 3 || z === undefined || x === undefined || y === undefined) {
        throw new CoverageFileError(`${file}:${line}: expire tile is not z/x/y`, 'invalid');
      }
      if (grid.resolutions[z] === undefined) {
        const levels = `0-${grid.resolutions.length - 1}`;
        throw new CoverageFileError(
          `${file}:${line}: expire tile ${z}/${x}/${y}: level not in ${levels}`,
          'invalid',
        );
      }
      if (seen.has(`${z}/${x}/${y}`)) continue;
      seen.add(`${z}/${x}/${y}`);
      const [minx, miny, maxx, maxy] = tileBBox(grid, { x, y, z });
      polygons.push([
        [
          [minx, miny],
          [maxx, miny],
          [maxx, maxy],
          [minx, maxy],
          [minx, miny],
        ],
      ]);
    }
  }
  return polygons;
}
