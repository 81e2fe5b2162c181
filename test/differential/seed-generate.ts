/**
 * Generated seeding cases for the seeding differential (`npm run diff:seed`): a mapproxy.yaml,
 * a seed.yaml and the coverage files it names, drawn from a seed over the options users set
 * (levels as list or range, resolution ranges, bbox/GeoJSON/WKT coverages and their union,
 * difference and intersection, four grids, every file layout, compact v1/v2, mbtiles, sqlite,
 * geopackage, meta tiles, refresh_before/remove_before against a pre-filled cache, single-colour
 * links, seed_only sources, tile sources). Small levels keep a case at a few hundred tiles.
 * With a second generator (`extra`), each case also draws what users write beyond that, layered
 * over the same base draws: MultiPolygon GeoJSON, several WKT polygons, OGR sources (GeoPackage,
 * shapefile, GeoJSON with `where`), expire_tiles files, coverages in EPSG:25832/3857, clipped source
 * coverages, image mode/colors, `paletted: false`, `format: mixed`, more cleanups (every cache
 * type, coverages, level lists with gaps), `-c` 2 and 4, and a run killed mid-way and continued.
 * With a third generator (`more`, `--more`), also: seed-run options users put in cron lines
 * (`--seed`/`--cleanup` selections, also repeated, `-l`, `--skip-uncached`, `--use-cache-lock`,
 * `--dry-run`), file caches with a `directory` of their own or `use_grid_names`, and a seed task
 * over two caches; seeds drawn without it keep their cases.
 */
import { stringify } from 'yaml';
import type { Rng } from './cases.js';
import { defined, some, sometimes } from './generate.js';

/** The address seed-run.ts replaces with each side's upstream front. */
export const SEED_UPSTREAM = 'http://localhost:42424';

type Yaml = Record<string, unknown>;

export interface SeedCase {
  readonly mapproxy: string;
  readonly seed: string;
  /** Coverage files, by name relative to the case directory. */
  readonly files: Readonly<Record<string, string>>;
  /**
   * A seed.yaml MapProxy runs first (its tiles are copied to both sides and half of the file
   * tiles aged to 2001), so that refresh_before and cleanups meet existing tiles; null if none.
   */
  readonly prefill: string | null;
  /** OGR data sources to write with ogr2ogr: target file (.gpkg, .shp) → GeoJSON of its features. */
  readonly ogr: Readonly<Record<string, string>>;
  /** `-c` of the seed runs (the pre-fill runs with 1). */
  readonly concurrency: number;
  /** Each side is SIGKILLed after this many upstream requests and finished with `--continue`; 0: no kill. */
  readonly killAfter: number;
  /** More arguments of every seed run of both sides (not the pre-fill's). */
  readonly args: readonly string[];
}

/** The aged tiles' and the `mtime` reference file's times (s since the epoch). */
export const OLD_TIME = Date.UTC(2001, 0, 1) / 1000;
export const NEW_TIME = Date.UTC(2020, 5, 1) / 1000;
export const REFERENCE_TIME = Date.UTC(2010, 0, 1) / 1000;

interface GridChoice {
  readonly name: string;
  /** Highest level seeded over the whole grid, and under a coverage. */
  readonly fullMax: number;
  readonly coveredMax: number;
  /** Level 0's resolution and the factor between levels (for resolution ranges). */
  readonly res0: number;
}

const GRIDS: readonly GridChoice[] = [
  { name: 'GLOBAL_WEBMERCATOR', fullMax: 3, coveredMax: 6, res0: 156543.03392804097 },
  { name: 'GLOBAL_GEODETIC', fullMax: 4, coveredMax: 6, res0: 1.40625 },
  { name: 'utm32', fullMax: 3, coveredMax: 5, res0: 0 },
  { name: 'geodetic_ul', fullMax: 4, coveredMax: 6, res0: 1.40625 },
];

const BOXES: readonly (readonly [number, number, number, number])[] = [
  [5, 45, 16, 57],
  [-10, 35, 30, 60],
  [8, 47, 12, 52],
  [-5, 40, 20, 50],
];

function mercator([lon, lat]: readonly [number, number]): [number, number] {
  const x = (lon * 20037508.342789244) / 180;
  const y = (Math.log(Math.tan(((90 + lat) * Math.PI) / 360)) * 20037508.342789244) / Math.PI;
  return [Math.round(x), Math.round(y)];
}

/** A ring around a box's centre (a rough octagon), closed, in EPSG:4326. */
function ring(rng: Rng, box: readonly [number, number, number, number]): [number, number][] {
  const [minx, miny, maxx, maxy] = box;
  const cx = (minx + maxx) / 2;
  const cy = (miny + maxy) / 2;
  const points: [number, number][] = [];
  for (let i = 0; i < 8; i++) {
    const a = (i / 8) * 2 * Math.PI;
    const r = 0.6 + rng.next() * 0.4;
    points.push([
      Number((cx + ((maxx - minx) / 2) * r * Math.cos(a)).toFixed(3)),
      Number((cy + ((maxy - miny) / 2) * r * Math.sin(a)).toFixed(3)),
    ]);
  }
  points.push(points[0]!);
  return points;
}

/** Small boxes that do not touch, for polygons of one MultiPolygon (EPSG:4326). */
const PARTS: readonly (readonly [number, number, number, number])[] = [
  [5, 45, 9, 49],
  [10, 50, 16, 55],
  [-8, 36, -2, 42],
  [20, 40, 26, 46],
  [1, 51, 4, 58],
];

/** The web-mercator tile (origin north-west, as expire_tiles files count) of a point at level z. */
function mercatorTile(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const rad = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return [Math.min(n - 1, x), Math.min(n - 1, y)];
}

/** EPSG:25832 coordinates of a few EPSG:4326 boxes (by `cs2cs`), for coverages in the UTM SRS. */
const UTM_BOXES: readonly (readonly [number, number, number, number])[] = [
  [300000, 5000000, 800000, 6200000],
  [400000, 5300000, 700000, 5800000],
  [-200000, 4500000, 900000, 6000000],
];

/**
 * One seeding case drawn from `rng`, with `extra` the options beyond the base ones, and with `more`
 * (only with `extra`) run options and cache layouts beyond those.
 */
export function generateSeedCase(rng: Rng, extra?: Rng, more?: Rng): SeedCase {
  const files: Record<string, string> = {};
  const ogr: Record<string, string> = {};
  // 1. grids: two global ones, a UTM grid over a box, a geodetic grid with its origin upper left
  const grids: Yaml = {
    utm32: { srs: 'EPSG:25832', bbox: [...rng.pick(BOXES.slice(0, 2))], bbox_srs: 'EPSG:4326' },
    geodetic_ul: { base: 'GLOBAL_GEODETIC', origin: 'ul' },
  };
  // 2. WMS sources; a coverage leaves tiles blank (single-coloured) outside it
  const sources: Yaml = {};
  const sourceCount = rng.int(1, 2);
  for (let i = 0; i < sourceCount; i++) {
    sources[`s${i}`] = defined({
      type: 'wms',
      req: defined({
        url: `${SEED_UPSTREAM}/service`,
        layers: `l${i}`,
        transparent: sometimes(rng, 0.5, () => true),
      }),
      coverage: sometimes(rng, 0.3, () => ({ bbox: [...rng.pick(BOXES)], srs: 'EPSG:4326' })),
      seed_only: sometimes(rng, 0.2, () => true),
    });
  }
  // 2b. clipped source coverages (transparent outside the coverage in each tile), as a polygon
  // file: MapProxy 1.15 fails every request of a clipped bbox coverage (flatten_to_polygons of None)
  if (extra !== undefined) {
    for (const [name, source] of Object.entries(sources) as [string, Yaml][]) {
      const coverage = source.coverage as { bbox: number[] } | undefined;
      if (coverage === undefined || extra.next() >= 0.5) continue;
      const [minx, miny, maxx, maxy] = coverage.bbox;
      files[`clip_${name}.wkt`] =
        `POLYGON((${minx} ${miny}, ${maxx} ${miny}, ${maxx} ${maxy}, ${minx} ${maxy}, ${minx} ${miny}))\n`;
      source.coverage = { datasource: `clip_${name}.wkt`, srs: 'EPSG:4326', clip: true };
    }
  }
  // 3. caches, each in one grid (file caches sometimes two), over every storage kind
  const caches: Yaml = {};
  const cacheGrids: Record<string, GridChoice[]> = {};
  const sqliteCaches = new Set<string>();
  const levelCleanupOnly = new Set<string>();
  const cacheCount = rng.int(1, 2);
  for (let i = 0; i < cacheCount; i++) {
    const name = `c${i}`;
    const kind = rng.pick(['file', 'file', 'compact', 'mbtiles', 'sqlite', 'geopackage']);
    if (kind === 'sqlite') sqliteCaches.add(name);
    if (kind === 'sqlite' || kind === 'mbtiles') levelCleanupOnly.add(name);
    const chosen = some(rng, GRIDS, 1, kind === 'file' ? 2 : 1);
    cacheGrids[name] = chosen;
    const cache: Yaml =
      kind === 'file'
        ? defined({
            type: 'file',
            directory_layout: rng.pick(['tc', 'mp', 'tms', 'reverse_tms', 'quadkey', 'arcgis']),
          })
        : kind === 'compact'
          ? { type: 'compact', version: rng.pick([1, 2]) }
          : kind === 'mbtiles'
            ? defined({ type: 'mbtiles', filename: sometimes(rng, 0.5, () => `${name}-tiles.mbtiles`) })
            : kind === 'sqlite'
              ? defined({ type: 'sqlite', directory: sometimes(rng, 0.5, () => `cache_data/${name}-levels`) })
              : defined({ type: 'geopackage', table_name: sometimes(rng, 0.5, () => `t_${name}`) });
    caches[name] = defined({
      sources: some(rng, Object.keys(sources), 1, 2),
      grids: chosen.map((g) => g.name),
      format: sometimes(rng, 0.25, () => 'image/jpeg'),
      meta_size: sometimes(rng, 0.4, () =>
        rng.pick([
          [1, 1],
          [2, 2],
          [3, 2],
        ]),
      ),
      meta_buffer: sometimes(rng, 0.3, () => rng.pick([0, 10, 40])),
      link_single_color_images: kind === 'file' ? sometimes(rng, 0.3, () => true) : undefined,
      cache,
    });
  }
  // 3b. image options: mode and colors, format mixed, and globals.image.paletted false
  const globals: Yaml = { cache: { base_dir: 'cache_data/' } };
  if (extra !== undefined) {
    for (const cache of Object.values(caches) as Yaml[]) {
      const draw = extra.next();
      if (draw < 0.15 && cache.format === undefined) {
        cache.format = 'mixed';
        cache.request_format = 'image/png';
      } else if (draw < 0.45 && cache.format === undefined) {
        cache.image = defined({
          mode: extra.pick(['RGB', 'RGBA', 'P']),
          colors: extra.pick([0, 16, 64, 256, undefined]),
          transparent: sometimes(extra, 0.4, () => true),
        });
      }
    }
    if (extra.next() < 0.25) globals.image = { paletted: false };
  }
  const layers = Object.keys(caches).map((name) => ({ name: `layer_${name}`, title: name, sources: [name] }));
  const mapproxy: Yaml = {
    services: { wms: { md: { title: 'seed' } }, tms: {} },
    layers,
    caches,
    sources,
    grids,
    globals,
  };

  // 4. coverages: boxes, GeoJSON and WKT polygon files, and their combinations
  const coverages: Yaml = {};
  const baseLeaf = (i: number): Yaml => {
    const box = rng.pick(BOXES);
    const kind = rng.pick(['bbox', 'bbox3857', 'geojson', 'wkt', 'wkt3857']);
    if (kind === 'bbox') return { bbox: [...box], srs: 'EPSG:4326' };
    if (kind === 'bbox3857')
      return { bbox: [...mercator([box[0], box[1]]), ...mercator([box[2], box[3]])], srs: 'EPSG:3857' };
    const points = ring(rng, box);
    if (kind === 'geojson') {
      const file = `cov${i}.geojson`;
      files[file] = JSON.stringify({
        type: 'FeatureCollection',
        features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [points] } }],
      });
      return { datasource: file, srs: 'EPSG:4326' };
    }
    const file = `cov${i}.wkt`;
    const projected = kind === 'wkt3857';
    const text = (projected ? points.map(mercator) : points).map(([x, y]) => `${x} ${y}`).join(', ');
    files[file] = `POLYGON((${text}))\n`;
    return { datasource: file, srs: projected ? 'EPSG:3857' : 'EPSG:4326' };
  };
  // 4b. what users write beyond that: drawn from `extra` after the base leaf's draws, so the base
  // rng's sequence stays the one seeds without extras draw
  const leaf = (i: number): Yaml => {
    const base = baseLeaf(i);
    if (extra === undefined || extra.next() >= 0.5) return base;
    Reflect.deleteProperty(files, `cov${i}.geojson`);
    Reflect.deleteProperty(files, `cov${i}.wkt`);
    return extraLeaf(extra, i);
  };
  const extraLeaf = (x: Rng, i: number): Yaml => {
    const kind = x.pick([
      'multigeojson',
      'multigeojson3857',
      'wktlines',
      'wktmulti',
      'gpkg',
      'shp',
      'geojsonwhere',
      'expire',
      'bbox25832',
    ]);
    const parts = some(x, PARTS, 2, 3);
    const rings = parts.map((box) => ring(x, box));
    const feature = (points: [number, number][], name: string): Yaml => ({
      type: 'Feature',
      properties: { name },
      geometry: { type: 'Polygon', coordinates: [points] },
    });
    const wktRing = (points: [number, number][]): string =>
      `(${points.map(([a, b]) => `${a} ${b}`).join(', ')})`;
    if (kind === 'multigeojson' || kind === 'multigeojson3857') {
      const projected = kind === 'multigeojson3857';
      const file = `cov${i}.geojson`;
      files[file] = JSON.stringify({
        type: 'Feature',
        properties: {},
        geometry: {
          type: 'MultiPolygon',
          coordinates: rings.map((r) => [projected ? r.map(mercator) : r]),
        },
      });
      return { datasource: file, srs: projected ? 'EPSG:3857' : 'EPSG:4326' };
    }
    if (kind === 'wktlines' || kind === 'wktmulti') {
      const file = `cov${i}.wkt`;
      files[file] =
        kind === 'wktlines'
          ? rings.map((r) => `POLYGON(${wktRing(r)})\n`).join('')
          : `MULTIPOLYGON(${rings.map((r) => `(${wktRing(r)})`).join(', ')})\n`;
      return { datasource: file, srs: 'EPSG:4326' };
    }
    if (kind === 'gpkg' || kind === 'shp' || kind === 'geojsonwhere') {
      const names = ['a', 'b', 'c'];
      const collection = JSON.stringify({
        type: 'FeatureCollection',
        features: rings.map((r, k) => feature(r, names[k]!)),
      });
      const file = `cov${i}.${kind === 'geojsonwhere' ? 'geojson' : kind}`;
      if (kind === 'geojsonwhere') files[file] = collection;
      else ogr[file] = collection;
      const where = kind === 'geojsonwhere' || x.next() < 0.5 ? `name = '${x.pick(['a', 'b'])}'` : undefined;
      return defined({ datasource: file, where, srs: 'EPSG:4326' });
    }
    if (kind === 'expire') {
      const file = `cov${i}.tiles`;
      const z = x.int(3, 6);
      const box = x.pick(BOXES);
      const [x0, y0] = mercatorTile(box[0], box[3], z);
      const [x1, y1] = mercatorTile(box[2], box[1], z);
      const lines: string[] = [];
      for (let n = x.int(1, 5); n > 0; n--) lines.push(`${z}/${x.int(x0, x1)}/${x.int(y0, y1)}`);
      files[file] = lines.join('\n') + '\n';
      return { expire_tiles: file };
    }
    return { bbox: [...x.pick(UTM_BOXES)], srs: 'EPSG:25832' };
  };
  const coverageCount = rng.int(1, 2);
  for (let i = 0; i < coverageCount; i++) {
    const combine = rng.pick(['leaf', 'leaf', 'union', 'difference', 'intersection']);
    coverages[`cov${i}`] =
      combine === 'leaf' ? leaf(i * 10) : { [combine]: [leaf(i * 10 + 1), leaf(i * 10 + 2)] };
  }

  // 5. seeds and cleanups over caches that share a grid
  const levelsFor = (grid: GridChoice, covered: boolean): Yaml => {
    const top = covered ? grid.coveredMax : grid.fullMax;
    const style = rng.pick(['list', 'range', 'range', 'from', 'res']);
    if (style === 'list')
      return {
        levels: some(
          rng,
          [0, 1, 2, 3, 4, 5, 6].filter((l) => l <= top),
          1,
          3,
        ).sort(),
      };
    const from = rng.int(0, Math.max(0, top - 2));
    const to = rng.int(from, top);
    if (style === 'from') return { levels: { to } };
    if (style === 'res' && grid.res0 > 0) {
      // resolutions a little off the grid's, as users write them (MapProxy picks the closest levels)
      const wobble = (): number => 0.9 + rng.next() * 0.2;
      return {
        resolutions: {
          from: Number(((grid.res0 / 2 ** from) * wobble()).toPrecision(6)),
          to: Number(((grid.res0 / 2 ** to) * wobble()).toPrecision(6)),
        },
      };
    }
    return { levels: { from, to } };
  };
  const seeds: Yaml = {};
  const cleanups: Yaml = {};
  let wantsPrefill = false;
  const seedCount = rng.int(1, 2);
  for (let i = 0; i < seedCount; i++) {
    const cache = rng.pick(Object.keys(caches));
    const grid = rng.pick(cacheGrids[cache]!);
    const covs = sometimes(rng, 0.6, () => some(rng, Object.keys(coverages), 1, 2));
    const refresh = sometimes(rng, 0.3, () =>
      rng.pick<Yaml>([{ time: '2010-01-01T00:00:00' }, { days: 1 }, { mtime: 'reference.txt' }]),
    );
    if (refresh !== undefined) wantsPrefill = true;
    seeds[`seed${i}`] = defined({
      caches: [cache],
      grids: cacheGrids[cache]!.length > 1 || rng.next() < 0.5 ? [grid.name] : undefined,
      coverages: covs,
      ...levelsFor(grid, covs !== undefined),
      refresh_before: refresh,
    });
  }
  if (rng.next() < 0.4) {
    wantsPrefill = true;
    const cache = rng.pick(Object.keys(caches));
    const grid = rng.pick(cacheGrids[cache]!);
    const covs = sometimes(rng, 0.5, () => some(rng, Object.keys(coverages), 1, 1));
    const when = rng.pick<Yaml>([
      { remove_all: true },
      { remove_before: { time: '2010-01-01T00:00:00' } },
      { remove_before: { mtime: 'reference.txt' } },
      {},
    ]);
    cleanups.clean0 = defined({
      caches: [cache],
      grids: [grid.name],
      coverages: covs,
      ...levelsFor(grid, true),
      ...when,
    });
  }
  // 5b. one more cleanup, over any cache type, often with a coverage and a level list with gaps
  if (extra !== undefined && extra.next() < 0.4) {
    wantsPrefill = true;
    const cache = extra.pick(Object.keys(caches));
    const grid = extra.pick(cacheGrids[cache]!);
    cleanups.clean1 = defined({
      caches: [cache],
      grids: [grid.name],
      coverages: sometimes(extra, 0.6, () => some(extra, Object.keys(coverages), 1, 2)),
      levels: extra.pick([[0, 2], [1, 3], [2, 4], [0, 1, 3], [3]]),
      ...extra.pick<Yaml>([
        { remove_all: true },
        { remove_before: { time: '2010-01-01T00:00:00' } },
        { remove_before: { days: 1 } },
        { remove_before: { mtime: 'reference.txt' } },
      ]),
    });
  }
  files['reference.txt'] = 'the mtime reference of refresh_before/remove_before\n';
  // 5c. with extras, no refresh_before on sqlite caches and no cleanup coverage on sqlite and
  // mbtiles caches: MapProxy 1.15 stops its run at the first two and keeps the tiles in the third
  // (docs/differences.md), which hides every later task of the case
  if (extra !== undefined) {
    const on =
      (set: Set<string>) =>
      (task: unknown): task is Yaml =>
        set.has(((task as Yaml).caches as string[])[0]!);
    for (const task of Object.values(seeds).filter(on(sqliteCaches))) delete task.refresh_before;
    for (const task of Object.values(cleanups).filter(on(levelCleanupOnly))) delete task.coverages;
  }
  const seedYaml = defined({
    coverages,
    seeds,
    cleanups: Object.keys(cleanups).length > 0 ? cleanups : undefined,
  });
  // 6. the pre-fill: every cache's grids, the whole grid at levels 0-2 and a box further down
  const prefill: Yaml = {
    coverages: { europe: { bbox: [5, 45, 16, 57], srs: 'EPSG:4326' } },
    seeds: Object.fromEntries(
      Object.entries(cacheGrids).flatMap(([cache, gs]) =>
        gs.flatMap((g) => [
          [`${cache}_${g.name}_all`, { caches: [cache], grids: [g.name], levels: { to: 2 } }],
          [
            `${cache}_${g.name}_box`,
            { caches: [cache], grids: [g.name], coverages: ['europe'], levels: { from: 3, to: 4 } },
          ],
        ]),
      ),
    ),
  };
  // 7. a tile source for some single-grid caches: the upstream answers one colour a tile, so
  // link_single_color_images links every tile (the WMS raster never gives a single-colour tile)
  for (const [name, grids] of Object.entries(cacheGrids)) {
    if (grids.length !== 1 || rng.next() >= 0.5) continue;
    const grid = grids[0]!.name;
    sources[`tiles_${grid}`] = { type: 'tile', url: `${SEED_UPSTREAM}/tiles/${grid}/%(tc_path)s.png`, grid };
    (caches[name] as Yaml).sources = [`tiles_${grid}`];
  }
  const args = more === undefined ? [] : drawMore(more, { caches, cacheGrids, seeds, cleanups });
  if (args.includes('--skip-uncached')) wantsPrefill = true;
  return {
    mapproxy: stringify(mapproxy),
    seed: stringify(seedYaml),
    files,
    prefill: wantsPrefill ? stringify(prefill) : null,
    ogr,
    concurrency: extra === undefined ? 1 : extra.pick([1, 2, 2, 4]),
    killAfter: extra !== undefined && extra.next() < 0.25 ? extra.int(1, 4) : 0,
    args,
  };
}

/**
 * The third generator's draws (see generateSeedCase): changes `drawn`'s caches and seeds in place
 * and answers the run options.
 */
function drawMore(
  more: Rng,
  drawn: { caches: Yaml; cacheGrids: Record<string, GridChoice[]>; seeds: Yaml; cleanups: Yaml },
): string[] {
  const { caches, cacheGrids, seeds, cleanups } = drawn;
  // file caches: a directory of their own (one grid: two would share it) or use_grid_names
  for (const [name, cache] of Object.entries(caches) as [string, Yaml][]) {
    const storage = cache.cache as Yaml;
    if (storage.type !== 'file') continue;
    const draw = more.next();
    if (draw < 0.25 && cacheGrids[name]!.length === 1) storage.directory = `cache_data/dir_${name}`;
    else if (draw < 0.5) storage.use_grid_names = true;
  }
  // a seed task over two caches (MapProxy refuses the case when a named grid is not in both)
  const names = Object.keys(caches);
  const first = seeds.seed0 as Yaml;
  if (names.length > 1 && more.next() < 0.3) {
    const own = (first.caches as string[])[0]!;
    first.caches = [own, names.find((n) => n !== own)!];
  }
  const args: string[] = [];
  // a cron line's selection: some seeds and/or cleanups, comma-separated or repeated
  const seedNames = Object.keys(seeds);
  const cleanupNames = Object.keys(cleanups);
  if (seedNames.length + cleanupNames.length > 1 && more.next() < 0.35) {
    const select = (flag: string, from: string[]): void => {
      const chosen = some(more, from, 1, from.length);
      if (more.next() < 0.5) args.push(flag, chosen.join(','));
      else for (const name of chosen) args.push(flag, name);
    };
    const which = cleanupNames.length === 0 ? 'seed' : more.pick(['seed', 'cleanup', 'both']);
    if (which !== 'cleanup') select('--seed', seedNames);
    if (which !== 'seed') select('--cleanup', cleanupNames);
  }
  if (more.next() < 0.25) args.push('-l', String(more.int(1, 2)));
  if (more.next() < 0.15) args.push('--skip-uncached');
  if (more.next() < 0.3) args.push('--use-cache-lock');
  if (more.next() < 0.1) args.push('--dry-run');
  return args;
}
