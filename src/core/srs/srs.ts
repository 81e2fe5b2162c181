/**
 * The `Srs` value: code, kind, axis order and point/bbox transformations, plus the cached
 * `getSrs` lookup. With datum-grids.ts the only user of proj4 (loaded by proj4-module.ts).
 */
import type Proj4 from 'proj4';
import type { BBox } from '../util/index.js';
import { isEpsgAxisOrderNE } from './axis-order.js';
import { addProjDataDir, gridAreaOfUse, type ResolvedDefinition } from './datum-grids.js';
import { epsgDefinition, preloadEpsgDefinitions } from './epsg-definitions.js';
import { envelopePoints, pointsExtent, type Point } from './envelope.js';
import { SrsError } from './errors.js';
import { proj4 } from './proj4-module.js';

/** The spherical mercator aliases; they share EPSG:3857's math but keep their own code. */
const WEB_MERCATOR_CODES: ReadonlySet<string> = new Set([
  'EPSG:900913',
  'EPSG:3857',
  'EPSG:102100',
  'EPSG:102113',
]);
const MERCATOR_MAX = 20037508.342789244;

/** A spatial reference system. Coordinates passed in and out are always x/y (east/north) order. */
export class Srs {
  /** Normalised code, e.g. `EPSG:4326`, `CRS:84`, `EPSG:900913`. */
  readonly code: string;
  /** The EPSG number whose math this SRS uses (3857 for the mercator aliases, 4326 for CRS:84). */
  readonly epsg: number;
  /** True for lon/lat systems in degrees. */
  readonly isGeographic: boolean;
  /** True when WMS 1.3.0 / WMTS expect north (lat, northing) first; `CRS:84` is always east first. */
  readonly isAxisOrderNE: boolean;
  readonly #definition: string;
  /** Without the datum grid, for points outside the grid (see datum-grids.ts); null if no grid. */
  readonly #fallbackDefinition: string | null;
  readonly #converters = new Map<string, Proj4.Converter>();
  /** Where PROJ applies the grid operation (lon/lat degrees); null without a grid or known area. */
  readonly #gridArea: BBox | null;
  /** Grid areas of use expressed in this SRS's coordinates, by area. */
  readonly #areasHere = new Map<string, BBox | null>();

  constructor(code: string, epsg: number, resolved: ResolvedDefinition, isAxisOrderNE: boolean) {
    const { definition } = resolved;
    this.code = code;
    this.epsg = epsg;
    this.#definition = definition;
    this.#fallbackDefinition = resolved.fallback;
    this.#gridArea = resolved.fallback === null ? null : gridAreaOfUse(definition);
    this.isGeographic = /\+proj=(longlat|latlong|lonlat|latlon)\b/.test(definition);
    this.isAxisOrderNE = isAxisOrderNE;
  }

  /** The proj4 definition string behind this SRS. */
  get definition(): string {
    return this.#definition;
  }

  /**
   * True when both use the same math, as MapProxy compares PROJ definitions: EPSG:900913 equals
   * EPSG:3857 and CRS:84 equals EPSG:4326.
   */
  equals(other: Srs): boolean {
    return this.epsg === other.epsg;
  }

  /**
   * Transforms x/y points into `to`. A point that cannot be projected (e.g. a pole into mercator)
   * comes back with non-finite components. Returns the input when both SRS are equal.
   * A point outside a datum grid's extent, or outside the area of use PROJ gives the grid's
   * operation, is transformed without the grid, as PROJ does.
   */
  transformPoints(to: Srs, points: readonly Point[]): readonly Point[] {
    if (this.equals(to)) return points;
    if (this.isGeographic && !to.isGeographic && points.some(beyondPole)) {
      // PROJ's forward projection refuses a latitude beyond ±90° (HUGE_VAL, pyproj inf), where
      // proj4js projects it as if mirrored: a map past the pole drew the source's pixels there
      // where MapProxy's mesh has none (generated differential gen-12-05, 10.9 dB)
      const projected = this.transformPoints(
        to,
        points.map((p) => (beyondPole(p) ? [0, 0] : p)),
      );
      return projected.map((p, i) => (beyondPole(points[i] as Point) ? [Infinity, Infinity] : p));
    }
    const converter = this.#converter(to);
    const hasFallback = this.#fallbackDefinition !== null || to.#fallbackDefinition !== null;
    if (!hasFallback) {
      if (this.epsg === 4326 && to.epsg === 3857)
        return points.map((point) => mercatorForward(converter, point));
      return points.map((point) => project(converter, point));
    }
    const gridArea = this.#gridArea ?? to.#gridArea;
    const area = gridArea === null ? null : this.#areaHere(gridArea);
    return withoutProj4Chatter(() =>
      points.map((point): Point => {
        // PROJ 9.1 proj_trans: outside the grid operation's area of use (tested in source
        // coordinates) the first operation without grids runs, even where the grid reaches
        if (area !== null && !isInside(point, area)) return project(this.#converter(to, true), point);
        const projected = project(converter, point);
        return projected.every(Number.isFinite) ? projected : project(this.#converter(to, true), point);
      }),
    );
  }

  /**
   * `area` (lon/lat degrees on this SRS's own datum) as a bbox in this SRS, as PROJ's
   * proj_create_crs_to_crs computes it (proj_trans_bounds, 21 points between the corners).
   */
  #areaHere(area: BBox): BBox | null {
    const key = area.join(',');
    let here = this.#areasHere.get(key);
    if (here === undefined) {
      const outline = envelopePoints(area, 4 + 4 * 21);
      if (this.isGeographic) here = pointsExtent(outline);
      else {
        const projection = new proj4.Proj(this.#definition);
        const toRadians = Math.PI / 180;
        here = pointsExtent(
          outline.map(([lon, lat]): Point => {
            const { x, y } = projection.forward({ x: lon * toRadians, y: lat * toRadians });
            return [x, y];
          }),
        );
      }
      this.#areasHere.set(key, here);
    }
    return here;
  }

  /**
   * Transforms `bbox` into `to` through 16 points along its outline, so curved edges are covered
   * (MapProxy `SRS.transform_bbox_to`). From EPSG:4326 into EPSG:3857/900913 an edge at ±180°
   * or beyond ±85.06° is clamped to ±20037508.342789244, as MapProxy 1.15 does.
   * Throws `SrsError` (`SRS_TRANSFORM`) when no point can be transformed.
   */
  transformBBox(to: Srs, bbox: BBox): BBox {
    if (this.equals(to)) return bbox;
    const extent = pointsExtent(this.transformPoints(to, envelopePoints(bbox, 16)));
    if (extent === null) {
      throw new SrsError(
        `cannot transform bbox ${bbox.join(',')} from ${this.code} to ${to.code}`,
        'SRS_TRANSFORM',
      );
    }
    // MapProxy 1.15 srs.py: only for the literal codes EPSG:4326 -> EPSG:3857/EPSG:900913
    if (this.code === 'EPSG:4326' && (to.code === 'EPSG:3857' || to.code === 'EPSG:900913')) {
      let [minx, miny, maxx, maxy] = extent;
      // deliberate difference (docs/differences.md): a box wholly beyond ±180° is wrapped by
      // the projection; widening it to the grid's edge made MapProxy fetch a whole row of tiles
      if (bbox[0] <= -180 && bbox[2] > -180) minx = -MERCATOR_MAX;
      if (bbox[1] <= -85.06) miny = -MERCATOR_MAX;
      if (bbox[2] >= 180 && bbox[0] < 180) maxx = MERCATOR_MAX;
      if (bbox[3] >= 85.06) maxy = MERCATOR_MAX;
      return [minx, miny, maxx, maxy];
    }
    return extent;
  }

  toString(): string {
    return this.code;
  }

  #converter(to: Srs, withoutGrids = false): Proj4.Converter {
    const key = withoutGrids ? `${to.code} without grids` : to.code;
    let converter = this.#converters.get(key);
    if (converter === undefined) {
      converter = withoutGrids
        ? proj4(this.#fallbackDefinition ?? this.#definition, to.#fallbackDefinition ?? to.#definition)
        : proj4(this.#definition, to.#definition);
      this.#converters.set(key, converter);
    }
    return converter;
  }
}

/**
 * Runs `fn` with console.log muted: proj4js logs "Failed to find a grid shift table" for every
 * point outside a datum grid, which our fallback then handles. `fn` is synchronous, so nothing
 * else can log in between.
 */
function withoutProj4Chatter<T>(fn: () => T): T {
  // eslint-disable-next-line no-console -- muting a dependency's log, not logging
  const log = console.log;
  // eslint-disable-next-line no-console -- see above
  console.log = () => undefined;
  try {
    return fn();
  } finally {
    // eslint-disable-next-line no-console -- see above
    console.log = log;
  }
}

function isInside([x, y]: Point, [minx, miny, maxx, maxy]: BBox): boolean {
  return x >= minx && x <= maxx && y >= miny && y <= maxy;
}

/** A geographic point whose latitude PROJ's forward projection refuses (beyond ±90° by 1e-12 rad). */
function beyondPole(point: Point): boolean {
  return Math.abs((point[1] * Math.PI) / 180) > Math.PI / 2 + 1e-12;
}

function project(converter: Proj4.Converter, point: Point): Point {
  try {
    const [x = NaN, y = NaN] = converter.forward([point[0], point[1]]);
    return [x, y];
  } catch {
    return [NaN, NaN];
  }
}

/**
 * EPSG:4326 → spherical mercator with y as PROJ computes it, `R * asinh(tan(lat))`: proj4js's
 * `R * ln(tan(π/4 + lat/2))` is off in the last bits, so the equator came out -7e-10 instead of 0
 * (a capabilities BoundingBox `miny`). proj4js still decides x and which points cannot be projected.
 */
function mercatorForward(converter: Proj4.Converter, point: Point): Point {
  const [x, y] = project(converter, point);
  if (!Number.isFinite(y)) return [x, y];
  return [x, MERCATOR_RADIUS * Math.asinh(Math.tan((point[1] * Math.PI) / 180))];
}

/** The sphere of EPSG:3857 (`+a=6378137`). */
const MERCATOR_RADIUS = 6378137;

const cache = new Map<string, Srs>();

/** Forgets every SRS made so far, so that the next `getSrs` reads its definition anew. */
function forgetSrsDefinitions(): void {
  cache.clear();
}

/**
 * Makes `dir` the first place datum grid files (`+nadgrids=`) are looked for; SRS made before
 * are made anew on their next use, with the grids found there.
 */
export function useProjDataDir(dir: string): void {
  if (addProjDataDir(dir)) forgetSrsDefinitions();
}

/**
 * The SRS for `code`: `EPSG:n` (any case), a bare number or numeric string (read as EPSG),
 * `CRS:84`, or one of the spherical mercator aliases EPSG:900913/3857/102100/102113. Any EPSG
 * code with a 2D definition in the EPSG index is known. Results are cached.
 * Throws `SrsError` (`SRS_UNKNOWN`) for anything else.
 */
export function getSrs(code: string | number): Srs {
  const normalised = normalisedCode(code);
  let srs = cache.get(normalised);
  if (srs === undefined) {
    srs = createSrs(normalised);
    cache.set(normalised, srs);
  }
  return srs;
}

/**
 * Reads the definitions `getSrs` will need for `codes` (any form it takes; undefined skipped)
 * without blocking the event loop: an EPSG code that is not built in comes from its file in
 * epsg-index, which `getSrs` would otherwise read synchronously (once per code and process).
 */
export async function preloadSrsDefinitions(codes: Iterable<string | number | undefined>): Promise<void> {
  const epsgCodes: number[] = [];
  for (const code of codes) {
    const epsg = code === undefined ? null : epsgNumber(normalisedCode(code));
    if (epsg !== null) epsgCodes.push(epsg);
  }
  await preloadEpsgDefinitions(epsgCodes);
}

/** MapProxy _clean_srs_code: 'auth:x' is upper-cased, anything else is an EPSG number. */
function normalisedCode(code: string | number): string {
  return typeof code === 'string' && code.includes(':') ? code.toUpperCase() : `EPSG:${code}`;
}

/** n of a normalised `EPSG:n`, else null. */
function epsgNumber(normalised: string): number | null {
  const match = /^EPSG:(\d+)$/.exec(normalised);
  return match?.[1] === undefined ? null : Number(match[1]);
}

function createSrs(code: string): Srs {
  if (code === 'CRS:84') return new Srs(code, 4326, epsgOrThrow(4326, code), false);
  const epsg = epsgNumber(code);
  if (epsg === null) throw unknown(code);
  const mathEpsg = WEB_MERCATOR_CODES.has(code) ? 3857 : epsg;
  return new Srs(code, mathEpsg, epsgOrThrow(epsg, code), isEpsgAxisOrderNE(mathEpsg));
}

function epsgOrThrow(epsg: number, code: string): ResolvedDefinition {
  const definition = epsgDefinition(epsg);
  if (definition === null) throw unknown(code);
  return definition;
}

function unknown(code: string): SrsError {
  return new SrsError(`unknown or unsupported SRS ${code}`, 'SRS_UNKNOWN');
}
