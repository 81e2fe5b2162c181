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

let index: ReadonlyMap<string, string> | null = null;

/**
 * The proj4 string of every code that has one. Parsing the whole file (names, WKT, areas) put
 * ~25 MB on the heap (kept, or at least at the peak of every server process); the proj4 strings
 * alone are ~1.5 MB.
 */
function loadIndex(): ReadonlyMap<string, string> {
  if (index === null) {
    const file = createRequire(import.meta.url).resolve('epsg-index/all.json');
    index = proj4Strings(readFileSync(file, 'utf8'));
  }
  return index;
}

/**
 * The `"proj4"` value of each entry of epsg-index's all.json text (`{"<code>":{"code":"<code>",
 * ..., "proj4":"..." or null, ...}, ...}`), each string literal parsed on its own instead of the
 * whole document.
 */
export function proj4Strings(text: string): Map<string, string> {
  const proj4s = new Map<string, string>();
  const entry = /"(\d+)":\{"code":"\d+",/g;
  const key = '"proj4":"';
  let match = entry.exec(text);
  while (match !== null) {
    const code = match[1] ?? '';
    const next = entry.exec(text);
    const end = next === null ? text.length : next.index;
    const at = text.indexOf(key, match.index);
    if (at !== -1 && at < end) {
      const literal = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(at + key.length - 1, end));
      if (literal !== null) proj4s.set(code, JSON.parse(literal[0]) as string);
    }
    match = next;
  }
  return proj4s;
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
