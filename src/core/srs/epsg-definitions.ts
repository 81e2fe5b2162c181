/**
 * proj4 definitions of EPSG codes. The few codes every deployment uses are built in; everything
 * else comes from epsg-index's all.json (8 MB), loaded on first use; only its proj4 strings are kept.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolveDatumGrids, type ResolvedDefinition } from './datum-grids.js';

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

interface EpsgIndexEntry {
  readonly proj4?: string | null;
}

let index: ReadonlyMap<string, string> | null = null;

/**
 * The proj4 string of every code that has one. The parsed file (names, WKT, areas) is ~25 MB of
 * heap in every server process; the proj4 strings alone are ~1.5 MB.
 */
function loadIndex(): ReadonlyMap<string, string> {
  if (index === null) {
    const file = createRequire(import.meta.url).resolve('epsg-index/all.json');
    const all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, EpsgIndexEntry | undefined>;
    const proj4s = new Map<string, string>();
    for (const [code, entry] of Object.entries(all)) {
      if (typeof entry?.proj4 === 'string') proj4s.set(code, entry.proj4);
    }
    index = proj4s;
  }
  return index;
}

/**
 * The proj4 definition of EPSG code `epsg`, or null when the code is unknown or has no 2D
 * definition (vertical, engineering). Grid shifts (`+nadgrids=BETA2007.gsb`) use the PROJ data
 * files when present; see datum-grids.ts for what happens when they are not.
 */
export function epsgDefinition(epsg: number): ResolvedDefinition | null {
  const builtIn = BUILT_IN.get(epsg);
  if (builtIn !== undefined) return { definition: builtIn, fallback: null };
  const proj4 = loadIndex().get(String(epsg));
  if (typeof proj4 !== 'string' || !proj4.startsWith('+proj=')) return null;
  return resolveDatumGrids(proj4);
}
