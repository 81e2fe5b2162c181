/**
 * proj4 definitions of EPSG codes. The few codes every deployment uses are built in; everything
 * else comes from epsg-index's all.json (8 MB), loaded on first use; only its proj4 strings are kept.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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
 * alone are ~1.5 MB. The file is scanned as bytes: read as one string it took 16 MB of heap (a
 * few non-ASCII names make it two bytes a character) until the next full collection, in a `serve`
 * worker's first map in such an SRS (main heap 37 -> 54 MB in bench/rss-phases.ts's wms-25832).
 * Loading the index alone (EPSG:25832, fresh process): heap total +29 -> +5 MB, RSS +15-18 ->
 * +7-10 MB (the bytes are one buffer, unmapped when collected), 74-133 -> 39-48 ms CPU.
 */
function loadIndex(): ReadonlyMap<string, string> {
  index ??= proj4Strings(readFileSync(indexFile()));
  return index;
}

const indexFile = (): string => createRequire(import.meta.url).resolve('epsg-index/all.json');

let loading: Promise<void> | null = null;

/**
 * Reads the index without blocking the event loop when one of the EPSG codes `epsgCodes` is not
 * built in, so that their definitions are then found in memory: `epsgDefinition` would read all.json
 * synchronously (about 40 ms, once per process). A file that cannot be read is left to
 * `epsgDefinition`, which reports it as before.
 */
export async function preloadEpsgDefinitions(epsgCodes: Iterable<number>): Promise<void> {
  if (index !== null) return;
  for (const epsg of epsgCodes) {
    if (BUILT_IN.has(epsg)) continue;
    loading ??= readFile(indexFile()).then(
      (bytes) => {
        index ??= proj4Strings(bytes);
      },
      () => undefined,
    );
    await loading;
    return;
  }
}

const ENTRY = Buffer.from('{"code":"');
const PROJ4 = Buffer.from('"proj4":"');
const [QUOTE, BACKSLASH, COLON] = [0x22, 0x5c, 0x3a];

/**
 * The `"proj4"` value of each entry of epsg-index's all.json (`{"<code>":{"code":"<code>",
 * ..., "proj4":"..." or null, ...}, ...}`, UTF-8), each string literal parsed on its own instead
 * of the whole document. UTF-8 continuation bytes are never `"` or `\`, so a byte scan finds the
 * same quotes as a character scan.
 */
export function proj4Strings(json: Buffer): Map<string, string> {
  const proj4s = new Map<string, string>();
  let entry = json.indexOf(ENTRY);
  while (entry !== -1) {
    const next = json.indexOf(ENTRY, entry + ENTRY.length);
    const end = next === -1 ? json.length : next;
    const code = entryKey(json, entry);
    const at = json.indexOf(PROJ4, entry);
    if (code !== null && at !== -1 && at < end) {
      const close = closingQuote(json, at + PROJ4.length, end);
      if (close !== -1)
        proj4s.set(code, JSON.parse(json.toString('utf8', at + PROJ4.length - 1, close + 1)) as string);
    }
    entry = next;
  }
  return proj4s;
}

/** The digits of the `"<code>":` key just before the entry object at `entry`, or null. */
function entryKey(json: Buffer, entry: number): string | null {
  if (json[entry - 1] !== COLON || json[entry - 2] !== QUOTE) return null;
  let start = entry - 2;
  while (start > 0 && (json[start - 1] ?? 0) >= 0x30 && (json[start - 1] ?? 0) <= 0x39) start -= 1;
  if (start === entry - 2 || json[start - 1] !== QUOTE) return null;
  return json.toString('latin1', start, entry - 2);
}

/** The index of the `"` that ends the string literal whose content starts at `from`; -1 before `end`. */
function closingQuote(json: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i += 1) {
    const byte = json[i];
    if (byte === BACKSLASH) i += 1;
    else if (byte === QUOTE) return i;
  }
  return -1;
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
