/**
 * Generated seeding cases for the seeding differential (`npm run diff:seed`): a mapproxy.yaml,
 * a seed.yaml and the coverage files it names, drawn from a seed over the options users set
 * (levels as list or range, resolution ranges, bbox/GeoJSON/WKT coverages and their union,
 * difference and intersection, four grids, every file layout, compact v1/v2, mbtiles, sqlite,
 * geopackage, meta tiles, refresh_before/remove_before against a pre-filled cache, single-colour
 * links, seed_only sources, tile sources). Small levels keep a case at a few hundred tiles.
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

/** One seeding case drawn from `rng`. */
export function generateSeedCase(rng: Rng): SeedCase {
  const files: Record<string, string> = {};
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
  // 3. caches, each in one grid (file caches sometimes two), over every storage kind
  const caches: Yaml = {};
  const cacheGrids: Record<string, GridChoice[]> = {};
  const cacheCount = rng.int(1, 2);
  for (let i = 0; i < cacheCount; i++) {
    const name = `c${i}`;
    const kind = rng.pick(['file', 'file', 'compact', 'mbtiles', 'sqlite', 'geopackage']);
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
  const layers = Object.keys(caches).map((name) => ({ name: `layer_${name}`, title: name, sources: [name] }));
  const mapproxy: Yaml = {
    services: { wms: { md: { title: 'seed' } }, tms: {} },
    layers,
    caches,
    sources,
    grids,
    globals: { cache: { base_dir: 'cache_data/' } },
  };

  // 4. coverages: boxes, GeoJSON and WKT polygon files, and their combinations
  const coverages: Yaml = {};
  const leaf = (i: number): Yaml => {
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
  files['reference.txt'] = 'the mtime reference of refresh_before/remove_before\n';
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
  return {
    mapproxy: stringify(mapproxy),
    seed: stringify(seedYaml),
    files,
    prefill: wantsPrefill ? stringify(prefill) : null,
  };
}
