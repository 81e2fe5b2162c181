/**
 * proj4 definitions of EPSG codes. The few codes every deployment uses are built in; everything
 * else comes from epsg-index's file of that code (s/<code>.json, a few KB), read on first use.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { resolveDatumGrids, type ResolvedDefinition } from './datum-grids.js';
import { isErrno } from '../util/index.js';

const WGS84 = '+proj=longlat +datum=WGS84 +no_defs';
/** Spherical (web) mercator, the math behind EPSG:3857 and its aliases 900913, 102100, 102113. */
const SPHERICAL_MERCATOR =
  '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs';

const BUILT_IN = new Map<number, string>([
  [4326, WGS84],
  [3857, SPHERICAL_MERCATOR],
  [900913, SPHERICAL_MERCATOR],
  [102100, SPHERICAL_MERCATOR],
  [102113, SPHERICAL_MERCATOR],
]);

/**
 * The proj4 string (or null: no such code, or none) of each code read so far. epsg-index has
 * every code twice: in all.json (8 MB) and in a file of its own (s/<code>.json, the same entry).
 * Scanning all.json for its ~8000 proj4 strings cost every process that met one code not built in
 * (check, grids, seed, the serve primary and each worker of a config in EPSG:25832) 85-250 ms of
 * CPU and 7-10 MB of RSS; one code's file is read and parsed in well under a millisecond.
 */
const definitions = new Map<number, string | null>();

let epsgDirectory: string | undefined;
/** epsg-index's directory of per-code files (a missing package fails here, as its all.json did). */
function codeFile(epsg: number): string {
  epsgDirectory ??= join(dirname(createRequire(import.meta.url).resolve('epsg-index/all.json')), 's');
  return join(epsgDirectory, `${String(epsg)}.json`);
}

/** The `proj4` string of a code's file, or null when it has none. */
function proj4Of(text: string): string | null {
  const { proj4 } = JSON.parse(text) as { readonly proj4?: unknown };
  return typeof proj4 === 'string' ? proj4 : null;
}

/** A usable code: one that can name a file (what all.json's keys were). */
const isCode = (epsg: number): boolean => Number.isSafeInteger(epsg) && epsg >= 0;

function proj4Definition(epsg: number): string | null {
  let proj4 = definitions.get(epsg);
  if (proj4 === undefined) {
    try {
      proj4 = proj4Of(readFileSync(codeFile(epsg), 'utf8'));
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
      proj4 = null; // a code epsg-index does not know
    }
    definitions.set(epsg, proj4);
  }
  return proj4;
}

/**
 * Reads the definitions of the EPSG codes `epsgCodes` that are not built in without blocking the
 * event loop (a WMS request naming them), so that `epsgDefinition` then finds them in memory. A
 * file that cannot be read or parsed is left to `epsgDefinition`, which reports it.
 */
export async function preloadEpsgDefinitions(epsgCodes: Iterable<number>): Promise<void> {
  const wanted = [...new Set(epsgCodes)].filter(
    (epsg) => isCode(epsg) && !BUILT_IN.has(epsg) && !definitions.has(epsg),
  );
  await Promise.all(
    wanted.map(async (epsg) => {
      try {
        definitions.set(epsg, proj4Of(await readFile(codeFile(epsg), 'utf8')));
      } catch (error) {
        if (isErrno(error, 'ENOENT')) definitions.set(epsg, null);
      }
    }),
  );
}

/**
 * The proj4 definition of EPSG code `epsg`, or null when the code is unknown or has no 2D
 * definition (vertical, engineering). Grid shifts (`+nadgrids=BETA2007.gsb`) use the PROJ data
 * files when present; see datum-grids.ts for what happens when they are not.
 */
export function epsgDefinition(epsg: number): ResolvedDefinition | null {
  const builtIn = BUILT_IN.get(epsg);
  if (builtIn !== undefined) return { definition: builtIn, fallback: null };
  const proj4 = isCode(epsg) ? proj4Definition(epsg) : null;
  if (proj4 === null || !proj4.startsWith('+proj=')) return null;
  return resolveDatumGrids(proj4);
}
