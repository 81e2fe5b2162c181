/**
 * Generated configurations for a differential run (`--generate N`): a seeded walk over MapProxy's
 * option space that keeps MapProxy's defaults unless it picks otherwise (8-bit paletted PNG,
 * bicubic, meta tiles 4x4 with an 80 px buffer, file caches of PNG), so the path most users take
 * is exercised, not only the fixtures' non-default globals (most set `paletted: false`).
 * Each configuration is checked by MapProxy itself (`mapproxy-server.py --check`) and dropped if
 * MapProxy refuses it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { makeRng, type Rng } from './cases.js';
import { MAPPROXY_PYTHON } from './servers.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('mapproxy-server.py', import.meta.url));
/** The address run.ts replaces with each side's upstream front. */
const UPSTREAM = 'http://localhost:42423/service';

type Yaml = Record<string, unknown>;

/** `value` with probability `p`, else undefined (the key is left out: MapProxy's default). */
export function sometimes<T>(rng: Rng, p: number, value: () => T): T | undefined {
  return rng.next() < p ? value() : undefined;
}

/** Drops undefined values so that the YAML only names what the generator picked. */
export function defined(object: Yaml): Yaml {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

export function some<T>(rng: Rng, items: readonly T[], min: number, max: number): T[] {
  const pool = [...items];
  const picked: T[] = [];
  const n = Math.min(pool.length, rng.int(min, max));
  while (picked.length < n) picked.push(pool.splice(rng.int(0, pool.length - 1), 1)[0]!);
  return picked;
}

/** Boxes (EPSG:4326) the coverages and the UTM grid use: Europe, parts of it, a strip. */
const BOXES: readonly (readonly [number, number, number, number])[] = [
  [5, 45, 16, 57],
  [-10, 35, 30, 60],
  [-100, 10, 100, 80],
  [0, -30, 60, 30],
];

/** One configuration as YAML text, drawn from `rng`. */
export function generateConfig(rng: Rng): string {
  // 1. grids: MapProxy's two global grids and a UTM grid
  const grids: Yaml = {
    utm32: defined({
      srs: 'EPSG:25832',
      bbox: [...rng.pick(BOXES.slice(0, 2))],
      bbox_srs: 'EPSG:4326',
      origin: sometimes(rng, 0.3, () => 'nw'),
    }),
  };
  const gridNames = ['GLOBAL_WEBMERCATOR', 'GLOBAL_GEODETIC', 'utm32'];
  // 2. WMS sources, opaque or transparent
  const sources: Yaml = {};
  const sourceCount = rng.int(1, 3);
  for (let i = 0; i < sourceCount; i++) {
    const transparent = rng.next() < 0.5;
    const opacity = sometimes(rng, 0.2, () => rng.pick([0.3, 0.5, 0.8, 1]));
    const transparentColor = sometimes(rng, 0.1, () => rng.pick(['#141414', '#ffffff']));
    sources[`s${i}`] = defined({
      type: 'wms',
      req: defined({
        url: UPSTREAM,
        layers: `l${i}`,
        transparent: transparent ? true : sometimes(rng, 0.2, () => false),
        format: sometimes(rng, 0.15, () => rng.pick(['image/jpeg', 'image/png'])),
      }),
      coverage: sometimes(rng, 0.3, () => ({ bbox: [...rng.pick(BOXES)], srs: 'EPSG:4326' })),
      min_res: sometimes(rng, 0.1, () => rng.pick([2000, 20000])),
      max_res: sometimes(rng, 0.1, () => rng.pick([50, 500])),
      supported_srs: sometimes(rng, 0.2, () => some(rng, ['EPSG:4326', 'EPSG:3857', 'EPSG:25832'], 1, 2)),
      image:
        opacity === undefined && transparentColor === undefined
          ? undefined
          : defined({ opacity, transparent_color: transparentColor }),
    });
  }
  // 3. caches over one or more sources, in one or more grids
  const caches: Yaml = {};
  const cacheCount = rng.int(1, 3);
  for (let i = 0; i < cacheCount; i++) {
    const format = rng.pick(['default', 'default', 'image/jpeg', 'png8', 'png24', 'mixed']);
    caches[`c${i}`] = defined({
      sources: some(rng, Object.keys(sources), 1, 2),
      grids: some(rng, gridNames, 1, 2),
      format:
        format === 'default'
          ? undefined
          : format === 'mixed'
            ? 'mixed'
            : format.startsWith('image/')
              ? format
              : 'image/png',
      request_format: format === 'mixed' ? 'image/png' : undefined,
      image:
        format === 'png8'
          ? { mode: 'P', colors: rng.pick([256, 64]), transparent: rng.next() < 0.5 }
          : format === 'png24'
            ? { mode: rng.pick(['RGB', 'RGBA']), colors: 0 }
            : undefined,
      meta_size: sometimes(rng, 0.3, () =>
        rng.pick([
          [1, 1],
          [2, 2],
          [3, 2],
        ]),
      ),
      meta_buffer: sometimes(rng, 0.3, () => rng.pick([0, 10, 40])),
      disable_storage: sometimes(rng, 0.1, () => true),
      link_single_color_images: sometimes(rng, 0.15, () => true),
      minimize_meta_requests: sometimes(rng, 0.2, () => true),
    });
  }
  // 4. layers: leaves over caches and direct sources, some in a nested group
  const usable = [...Object.keys(caches), ...Object.keys(sources)];
  const leaves: Yaml[] = [];
  const leafCount = rng.int(2, 5);
  for (let i = 0; i < leafCount; i++) {
    leaves.push({ name: `layer${i}`, title: `Layer ${i}`, sources: some(rng, usable, 1, 3) });
  }
  const layers: Yaml[] = [];
  while (leaves.length > 0) {
    if (leaves.length >= 2 && rng.next() < 0.3) {
      const children = leaves.splice(0, rng.int(2, Math.min(3, leaves.length)));
      // a group with its own sources draws them under its children's
      const own = sometimes(rng, 0.3, () => some(rng, usable, 1, 1));
      layers.push(defined({ name: `group${layers.length}`, title: 'Group', sources: own, layers: children }));
    } else {
      layers.push(leaves.shift()!);
    }
  }
  // 5. globals: MapProxy's defaults unless picked; a WMS format list with a named 8-bit PNG
  const imageFormats = sometimes(rng, 0.2, () => ['image/png', 'image/jpeg', 'png8', 'image/gif']);
  const formats =
    imageFormats === undefined
      ? undefined
      : {
          png8: {
            format: 'image/png',
            mode: 'P',
            colors: rng.pick([256, 32]),
            transparent: rng.next() < 0.5,
          },
        };
  const config: Yaml = {
    services: {
      wms: defined({
        md: { title: 'generated' },
        srs: ['EPSG:3857', 'EPSG:4326', 'EPSG:900913', 'EPSG:25832'],
        image_formats: imageFormats,
      }),
      tms: {},
      wmts: {},
      kml: {},
    },
    layers,
    caches,
    sources,
    grids,
    globals: {
      cache: defined({
        base_dir: 'cache_data/',
        meta_size: sometimes(rng, 0.1, () => [2, 2]),
        meta_buffer: sometimes(rng, 0.1, () => 20),
        link_single_color_images: sometimes(rng, 0.1, () => true),
        minimize_meta_requests: sometimes(rng, 0.1, () => true),
      }),
      image: defined({
        paletted: sometimes(rng, 0.25, () => (rng.next() < 0.7 ? false : true)),
        resampling_method: sometimes(rng, 0.3, () => rng.pick(['nearest', 'bilinear', 'bicubic'])),
        formats,
      }),
    },
  };
  // 6. options drawn after the rest, from the text so far: seeds drawn before they existed keep
  //    their other choices
  cacheOptions(config.caches as Record<string, Yaml>, makeRng(fnv1a(stringify(config))));
  // 7. feature info on some sources, drawn last from the text so far (the map and tile draws of
  //    earlier seeds stay; their layers may now be queryable)
  sourceOptions(config.sources as Record<string, Yaml>, makeRng(fnv1a(`info ${stringify(config)}`)));
  return stringify(config);
}

/**
 * What configurations drawn by generateConfig gain after the fact (so that a seed's
 * configurations and their requests stay as they were drawn): the demo service, and storage
 * other than `file` for some caches (sqlite level files, mbtiles, geopackage, compact v1/v2),
 * drawn from the text. Users keep such caches when they switch servers, so their layout on disk
 * must be MapProxy's.
 */
export function withLaterOptions(text: string): string {
  const config = parse(text) as Yaml;
  const rng = makeRng(fnv1a(`later ${text}`));
  (config.services as Yaml).demo = {};
  for (const cache of Object.values(config.caches as Record<string, Yaml>)) {
    if (rng.next() < 0.5) continue;
    const grids = cache.grids as string[];
    // one mbtiles file per cache, whatever its grids (MapProxy puts them all in <name>.mbtiles)
    const kinds =
      grids.length === 1
        ? ['sqlite', 'mbtiles', 'geopackage', 'compact']
        : ['sqlite', 'geopackage', 'compact'];
    const kind = rng.pick(kinds);
    cache.cache =
      kind === 'compact'
        ? { type: 'compact', version: rng.pick([1, 2]) }
        : kind === 'geopackage' && rng.next() < 0.3
          ? { type: 'geopackage', levels: true }
          : { type: kind };
  }
  return stringify(config);
}

/** `wms_opts.featureinfo` (users' most common source option the draws above never make). */
function sourceOptions(sources: Record<string, Yaml>, rng: Rng): void {
  for (const source of Object.values(sources)) {
    if (rng.next() < 0.4) source.wms_opts = { featureinfo: true };
  }
}

/**
 * Cache options users set that the draws above never make: `image: {transparent: true}` on a
 * cache without an `image` section, GIF tiles, and a `request_format` of JPEG (an opaque answer,
 * PIL mode RGB, under a transparent or paletted cache).
 */
function cacheOptions(caches: Record<string, Yaml>, rng: Rng): void {
  for (const cache of Object.values(caches)) {
    if (cache.format === undefined && rng.next() < 0.1) cache.format = 'image/gif';
    if (cache.image === undefined && rng.next() < 0.25) cache.image = { transparent: true };
    if (cache.format !== 'mixed' && cache.request_format === undefined && rng.next() < 0.15) {
      cache.request_format = 'image/jpeg';
    }
  }
}

/** 32-bit FNV-1a of `text`'s UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/** MapProxy loads `text` (mapproxy-server.py --check in `dir`). */
async function loads(dir: string, text: string): Promise<boolean> {
  const file = join(dir, 'check.yaml');
  await writeFile(file, text);
  try {
    await run(MAPPROXY_PYTHON, [SCRIPT, '--check', file], { cwd: dir });
    return true;
  } catch {
    return false;
  }
}

/**
 * `count` configurations MapProxy loads, from `rng`: each candidate goes through MapProxy's own
 * loader and is dropped if refused (it refuses e.g. a cache whose grid's SRS no source offers).
 */
export async function generateValidConfigs(rng: Rng, count: number): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'mapproxy-gen-'));
  const configs: string[] = [];
  try {
    for (let attempt = 0; configs.length < count && attempt < count * 10; attempt++) {
      const text = generateConfig(rng);
      if (!(await loads(dir, text))) continue; // refused by MapProxy: not a configuration users can have
      // the later options, unless MapProxy refuses them (the configuration stays as drawn then)
      const later = withLaterOptions(text);
      configs.push((await loads(dir, later)) ? later : text);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return configs;
}
