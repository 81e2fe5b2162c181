/**
 * Datum grid shifts (`+nadgrids=`): NTv2 files are loaded from the PROJ data directories, as PROJ
 * itself finds them, so DHDN, OSGB36 and friends transform like MapProxy. Without the file a
 * published Helmert transformation stands in where one is known; otherwise the shift is dropped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { proj4 } from './proj4-module.js';

/** Fallback `+towgs84` parameters for grids Debian's proj-data ships but a machine may lack. */
const HELMERT_FALLBACKS: ReadonlyMap<string, string> = new Map([
  // EPSG:1777, DHDN to WGS 84 (3): the usual 7-parameter stand-in for BETA2007
  ['BETA2007.gsb', '+towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7'],
  // EPSG:1314, OSGB36 to WGS 84 (6): the petroleum 7-parameter set
  ['OSTN15_NTv2_OSGBtoETRS.gsb', '+towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489'],
]);

/**
 * Area of use (lon/lat degrees, west, south, east, north) of the EPSG operation that uses each
 * grid, as proj.db records it: PROJ (9.1, pyproj's `Transformer.from_crs`) applies the grid
 * operation only to points inside this area and the first grid-less one (the Helmert stand-in)
 * to every other point, even where the grid file itself would reach.
 */
const GRID_AREAS: ReadonlyMap<string, readonly [number, number, number, number]> = new Map([
  // DHDN to WGS 84 (4): Germany - onshore (EPSG area 3343)
  ['BETA2007.gsb', [5.86, 47.27, 15.04, 55.09] as const],
]);

const extraDirs: string[] = [];
/** Grid name -> whether it could be loaded; each file is read at most once per process. */
const loaded = new Map<string, boolean>();

/**
 * Adds a directory searched before the standard PROJ locations (`globals.srs.proj_data_dir`);
 * grids not found so far are looked up again. True when the directory is new.
 */
export function addProjDataDir(dir: string): boolean {
  if (extraDirs.includes(dir)) return false;
  extraDirs.unshift(dir);
  for (const [name, found] of loaded) if (!found) loaded.delete(name);
  return true;
}

function searchDirs(): string[] {
  const fromEnv = [process.env.PROJ_DATA, process.env.PROJ_LIB].filter((d): d is string => !!d);
  return [...extraDirs, ...fromEnv, '/usr/share/proj', '/usr/local/share/proj'];
}

function loadGrid(name: string): boolean {
  const known = loaded.get(name);
  if (known !== undefined) return known;
  const file = searchDirs()
    .map((dir) => join(dir, name))
    .find((path) => existsSync(path));
  let ok = false;
  if (file !== undefined) {
    const bytes = readFileSync(file);
    proj4.nadgrid(name, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    ok = true;
  }
  loaded.set(name, ok);
  return ok;
}

/** A proj4 definition as this machine can run it, and what to use where its grid does not reach. */
export interface ResolvedDefinition {
  readonly definition: string;
  /**
   * The definition without the grid (a Helmert stand-in, or no shift), for points outside the
   * grid's extent: PROJ falls back the same way. Null when the definition uses no grid file.
   */
  readonly fallback: string | null;
}

/**
 * Resolves the `+nadgrids=` clause of a proj4 definition for this machine: kept when every
 * required grid file loads (missing optional `@` grids are left out), else replaced by a known
 * Helmert fallback, else dropped (the datum shift is then lost: up to a few hundred metres).
 */
export function resolveDatumGrids(
  definition: string,
  canLoad: (grid: string) => boolean = loadGrid,
): ResolvedDefinition {
  const grids = /\+nadgrids=(\S+)/.exec(definition)?.[1]?.split(',') ?? [];
  if (grids.every((g) => g === '@null')) return { definition, fallback: null };
  const helmert = grids.map((g) => HELMERT_FALLBACKS.get(g.replace(/^@/, ''))).find(Boolean) ?? '';
  const withoutGrids = tidy(definition.replace(/\+nadgrids=\S+/, helmert));
  const usable = grids.filter((g) => g === '@null' || canLoad(g.replace(/^@/, '')));
  const missingRequired = grids.some((g) => !g.startsWith('@') && !usable.includes(g));
  if (missingRequired || usable.every((g) => g === '@null'))
    return { definition: withoutGrids, fallback: null };
  return {
    definition: tidy(definition.replace(/\+nadgrids=\S+/, `+nadgrids=${usable.join(',')}`)),
    fallback: withoutGrids,
  };
}

/**
 * The area of use (lon/lat degrees on the definition's own datum: west, south, east, north) of the
 * datum grid in `definition`, or null when it uses no grid or the area is not known.
 */
export function gridAreaOfUse(definition: string): readonly [number, number, number, number] | null {
  const grids = /\+nadgrids=(\S+)/.exec(definition)?.[1]?.split(',') ?? [];
  for (const grid of grids) {
    const area = GRID_AREAS.get(grid.replace(/^@/, ''));
    if (area !== undefined) return area;
  }
  return null;
}

function tidy(definition: string): string {
  return definition.replace(/\s+/g, ' ').trim();
}
