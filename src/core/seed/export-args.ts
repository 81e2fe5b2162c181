/**
 * The arguments of `mapproxy-util export` as MapProxy 1.15 `script/export.py` reads them: level
 * lists, inline grid definitions and the destination cache of each `--type`. Pure.
 */
import { SeedError } from './errors.js';

/** MapProxy `parse_levels`: `'1,2,3'`, `'1..6'`, `'1..6, 8, 13..14'` → sorted, unique levels. */
export function parseLevels(text: string): number[] {
  const levels = new Set<number>();
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const range = /^(\d+)\.\.(\d+)$/.exec(part);
    if (range !== null) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      // an empty task seeds every level of the grid: "5..2" exported levels 0-19 (MapProxy 1.15: IndexError)
      if (from > to)
        throw new SeedError(
          `invalid --levels "${text}": ${part} is empty; write the lower level first (${String(to)}..${String(from)})`,
          'SEED_INVALID_OPTION',
        );
      for (let z = from; z <= to; z++) levels.add(z);
    } else if (/^\d+$/.test(part)) {
      levels.add(Number(part));
    } else {
      throw new SeedError(`invalid --levels "${text}": expected e.g. 1,2,3 or 1..10`, 'SEED_INVALID_OPTION');
    }
  }
  return [...levels].sort((a, b) => a - b);
}

/** MapProxy's `grid_opts` keys (config/spec.py). */
const GRID_KEYS: ReadonlySet<string> = new Set([
  'base',
  'name',
  'srs',
  'bbox',
  'bbox_srs',
  'num_levels',
  'res',
  'res_factor',
  'max_res',
  'min_res',
  'stretch_factor',
  'max_shrink_factor',
  'align_resolutions_with',
  'origin',
  'tile_size',
  'threshold_res',
]);

/** Splits on blanks outside quotes, keeping the quotes (shlex-like enough for `k=v` pairs). */
function splitWords(text: string): string[] {
  return text.match(/(?:[^\s'"]+|'[^']*'|"[^"]*")+/g) ?? [];
}

/** `yaml.safe_load` of the values grids use: numbers, booleans, strings and flat `[a, b]` lists. */
function parseValue(text: string): unknown {
  if (text.startsWith('[') && text.endsWith(']')) {
    const inner = text.slice(1, -1).trim();
    return inner === '' ? [] : inner.split(',').map((item) => parseValue(item.trim()));
  }
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

/**
 * MapProxy `parse_grid_definition`: `"srs='EPSG:4326' bbox=[5,50,10,60] tile_size=[512,512]"` →
 * a grid configuration. Rejects unknown keys and words without `=` (exit 2 in MapProxy).
 */
export function parseGridDefinition(definition: string): Record<string, unknown> {
  const grid: Record<string, unknown> = {};
  for (const word of splitWords(definition)) {
    // shlex.split drops the quotes; MapProxy then needs exactly one '=' (`key, value = arg.split('=')`)
    const parts = word.replace(/['"]/g, '').split('=');
    const [key = '', value = ''] = parts;
    if (parts.length !== 2 || key === '')
      throw new SeedError(`invalid grid configuration: "${word}" is not key=value`, 'SEED_INVALID_OPTION');
    if (!GRID_KEYS.has(key))
      throw new SeedError(
        `invalid grid configuration: unknown key "${key}" (known: ${[...GRID_KEYS].join(', ')})`,
        'SEED_INVALID_OPTION',
      );
    grid[key] = parseValue(value);
  }
  return grid;
}

/** The `--type` values and the cache each one writes to `dest` (MapProxy `export_command`). */
export const EXPORT_TYPES = [
  'tms',
  'tc',
  'mapproxy',
  'arcgis',
  'mbtile',
  'sqlite',
  'geopackage',
  'compact-v1',
  'compact-v2',
] as const;
export type ExportType = (typeof EXPORT_TYPES)[number];

export function isExportType(value: string): value is ExportType {
  return (EXPORT_TYPES as readonly string[]).includes(value);
}

/** The `cache:` section of the export cache; `dest` is absolute. */
export function exportBackend(type: ExportType, dest: string): Record<string, unknown> {
  switch (type) {
    case 'mbtile':
      return { type: 'mbtiles', filename: dest };
    case 'sqlite':
      return { type: 'sqlite', directory: dest };
    case 'geopackage':
      return { type: 'geopackage', filename: dest };
    case 'compact-v1':
      return { type: 'compact', version: 1, directory: dest };
    case 'compact-v2':
      return { type: 'compact', version: 2, directory: dest };
    case 'tc':
    case 'mapproxy':
      return { type: 'file', directory: dest };
    case 'arcgis':
      return { type: 'file', directory_layout: 'arcgis', directory: dest };
    case 'tms':
      return { type: 'file', directory_layout: 'tms', directory: dest };
  }
}
