/**
 * Interop with caches written by MapProxy 1.15 `mapproxy-seed`: our FileCache finds every tile at
 * MapProxy's paths, and our TileManager writes the same files from the same meta-tile requests.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../../../test/helpers/fixtures.js';
import {
  createTileGrid,
  GLOBAL_GEODETIC,
  GLOBAL_WEBMERCATOR,
  type TileCoord,
  type TileGrid,
} from '../grid/index.js';
import { imageFromRaw, type ImageFormatOptions } from '../image/index.js';
import type { MapQuery, MapSource } from '../source/index.js';
import { fileCacheDirectory } from './cache-dir.js';
import { FileCache } from './file-cache.js';
import type { DirectoryLayout } from './path-layouts.js';
import { TileManager } from './tile-manager.js';

// Pinned from a real run (once, by hand) of Debian MapProxy 1.15 against a tiny WMS upstream
// (python http.server answering every GetMap with a solid PNG of the requested size):
//   globals.cache.base_dir ./cache_data; one wms source `up`; caches
//   geo_cache    [GLOBAL_GEODETIC]    png  (layout tc)            seeded levels 0-2
//   merc_arcgis  [GLOBAL_WEBMERCATOR] png  directory_layout arcgis  seeded levels 0-1
//   merc_tms     [GLOBAL_WEBMERCATOR] jpeg directory_layout tms     seeded levels 0-1
//   merc_quadkey [GLOBAL_WEBMERCATOR] png  directory_layout quadkey seeded levels 0-1
//   merc_l3      [GLOBAL_WEBMERCATOR] png  (layout tc)            seeded level 3
//   `mapproxy-seed -f mapproxy.yaml -s seed.yaml -c 1`, then `find cache_data -type f | sort`
// and the GetMap requests the upstream logged (BBOX, WIDTH, HEIGHT).
interface SeededCache {
  readonly name: string;
  readonly grid: TileGrid;
  readonly gridName: string;
  readonly gridSrs: string;
  readonly layout: DirectoryLayout;
  readonly extension: string;
  readonly levels: readonly number[];
  readonly files: readonly string[];
}

const geo = createTileGrid(GLOBAL_GEODETIC);
const web = createTileGrid(GLOBAL_WEBMERCATOR);
const SEEDED: readonly SeededCache[] = [
  {
    name: 'geo_cache',
    grid: geo,
    gridName: 'GLOBAL_GEODETIC',
    gridSrs: 'EPSG:4326',
    layout: 'tc',
    extension: 'png',
    levels: [0, 1, 2],
    files: [
      'geo_cache_EPSG4326/00/000/000/000/000/000/000.png',
      'geo_cache_EPSG4326/01/000/000/000/000/000/000.png',
      'geo_cache_EPSG4326/01/000/000/001/000/000/000.png',
      'geo_cache_EPSG4326/02/000/000/000/000/000/000.png',
      'geo_cache_EPSG4326/02/000/000/000/000/000/001.png',
      'geo_cache_EPSG4326/02/000/000/001/000/000/000.png',
      'geo_cache_EPSG4326/02/000/000/001/000/000/001.png',
      'geo_cache_EPSG4326/02/000/000/002/000/000/000.png',
      'geo_cache_EPSG4326/02/000/000/002/000/000/001.png',
      'geo_cache_EPSG4326/02/000/000/003/000/000/000.png',
      'geo_cache_EPSG4326/02/000/000/003/000/000/001.png',
    ],
  },
  {
    name: 'merc_arcgis',
    grid: web,
    gridName: 'GLOBAL_WEBMERCATOR',
    gridSrs: 'EPSG:3857',
    layout: 'arcgis',
    extension: 'png',
    levels: [0, 1],
    files: [
      'merc_arcgis_EPSG3857/L00/R00000000/C00000000.png',
      'merc_arcgis_EPSG3857/L01/R00000000/C00000000.png',
      'merc_arcgis_EPSG3857/L01/R00000000/C00000001.png',
      'merc_arcgis_EPSG3857/L01/R00000001/C00000000.png',
      'merc_arcgis_EPSG3857/L01/R00000001/C00000001.png',
    ],
  },
  {
    name: 'merc_tms',
    grid: web,
    gridName: 'GLOBAL_WEBMERCATOR',
    gridSrs: 'EPSG:3857',
    layout: 'tms',
    extension: 'jpeg',
    levels: [0, 1],
    files: [
      'merc_tms_EPSG3857/0/0/0.jpeg',
      'merc_tms_EPSG3857/1/0/0.jpeg',
      'merc_tms_EPSG3857/1/0/1.jpeg',
      'merc_tms_EPSG3857/1/1/0.jpeg',
      'merc_tms_EPSG3857/1/1/1.jpeg',
    ],
  },
  {
    name: 'merc_quadkey',
    grid: web,
    gridName: 'GLOBAL_WEBMERCATOR',
    gridSrs: 'EPSG:3857',
    layout: 'quadkey',
    extension: 'png',
    levels: [0, 1],
    files: [
      'merc_quadkey_EPSG3857/.png',
      'merc_quadkey_EPSG3857/0.png',
      'merc_quadkey_EPSG3857/1.png',
      'merc_quadkey_EPSG3857/2.png',
      'merc_quadkey_EPSG3857/3.png',
    ],
  },
];

/** The upstream requests MapProxy made while seeding (level order as seeded: finest first). */
const GEO_REQUESTS = [
  { bbox: [-180.0, -90.0, 180.0, 90.0], size: [1024, 512] },
  { bbox: [-180.0, -90.0, 180.0, 90.0], size: [512, 256] },
  { bbox: [-180.0, -90.0, 180.0, 90.0], size: [256, 128] },
];
const L3_REQUESTS = [
  {
    bbox: [-20037508.342789244, -1565430.3392804088, 1565430.3392804088, 20037508.342789244],
    size: [1104, 1104],
  },
  {
    bbox: [-1565430.3392804097, -1565430.3392804088, 20037508.342789244, 20037508.342789244],
    size: [1104, 1104],
  },
  {
    bbox: [-20037508.342789244, -20037508.342789244, 1565430.3392804088, 1565430.3392804097],
    size: [1104, 1104],
  },
  {
    bbox: [-1565430.3392804097, -20037508.342789244, 20037508.342789244, 1565430.3392804097],
    size: [1104, 1104],
  },
];
// merc_l3 wrote all 64 tiles of level 3; first and last three of `find | sort`:
const L3_FILES_SAMPLE = [
  'merc_l3_EPSG3857/03/000/000/000/000/000/000.png',
  'merc_l3_EPSG3857/03/000/000/000/000/000/001.png',
  'merc_l3_EPSG3857/03/000/000/000/000/000/002.png',
  'merc_l3_EPSG3857/03/000/000/007/000/000/005.png',
  'merc_l3_EPSG3857/03/000/000/007/000/000/006.png',
  'merc_l3_EPSG3857/03/000/000/007/000/000/007.png',
];

const PNG: ImageFormatOptions = {
  format: 'image/png',
  mode: 'RGBA',
  colors: 0,
  transparent: true,
  resampling: 'bicubic',
  jpegQuality: 90,
  quantizer: null,
};

function levelCoords(grid: TileGrid, z: number): TileCoord[] {
  const [columns, rows] = grid.gridSizes[z] ?? [0, 0];
  const coords: TileCoord[] = [];
  for (let y = 0; y < rows; y++) for (let x = 0; x < columns; x++) coords.push({ x, y, z });
  return coords;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .filter((path) => !path.startsWith('tile_locks'))
    .sort();
}

function cacheFor(baseDir: string, seeded: SeededCache): FileCache {
  const directory = fileCacheDirectory({
    cacheName: seeded.name,
    baseDir,
    gridName: seeded.gridName,
    gridSrs: seeded.gridSrs,
  });
  return new FileCache({ directory, extension: seeded.extension, layout: seeded.layout });
}

function recordingSource(): MapSource & { queries: MapQuery[] } {
  const queries: MapQuery[] = [];
  return {
    name: 'up',
    isTransparent: false,
    tileGrid: null,
    queries,
    getMap(query) {
      queries.push(query);
      const data = Buffer.alloc(query.size[0] * query.size[1] * 4, 200);
      return Promise.resolve(imageFromRaw({ data, size: query.size }));
    },
  };
}

test('FileCache finds every tile of a MapProxy-seeded cache, and nothing else, at its paths', async (t) => {
  const baseDir = await makeTempDir(t);
  for (const seeded of SEEDED) {
    for (const file of seeded.files) {
      await mkdir(dirname(join(baseDir, file)), { recursive: true });
      await writeFile(join(baseDir, file), `mapproxy:${file}`);
    }
  }
  for (const seeded of SEEDED) {
    const cache = cacheFor(baseDir, seeded);
    const found: string[] = [];
    for (const z of seeded.levels) {
      for (const coord of levelCoords(seeded.grid, z)) {
        const tile = await cache.loadTile(coord);
        assert.ok(tile, `${seeded.name} ${coord.x},${coord.y},${coord.z}`);
        found.push(tile.data.toString().slice('mapproxy:'.length));
      }
    }
    assert.deepEqual(found.sort(), [...seeded.files].sort(), seeded.name);
  }
});

test('our TileManager writes the files MapProxy wrote for the same caches and levels', async (t) => {
  const baseDir = await makeTempDir(t);
  for (const seeded of SEEDED) {
    const manager = new TileManager({
      grid: seeded.grid,
      cache: cacheFor(baseDir, seeded),
      sources: [{ source: recordingSource() }],
      imageOptions: seeded.extension === 'jpeg' ? { ...PNG, format: 'image/jpeg', transparent: false } : PNG,
    });
    for (const z of [...seeded.levels].reverse())
      await manager.loadTiles(levelCoords(seeded.grid, z), { isSeeding: true });
  }
  assert.deepEqual(await listFiles(baseDir), SEEDED.flatMap((s) => s.files).sort());
});

test('meta-tile requests match MapProxy seeding: clipped geodetic levels and buffered level-3 meta tiles', async (t) => {
  const baseDir = await makeTempDir(t);
  const geoSource = recordingSource();
  const geoManager = new TileManager({
    grid: geo,
    cache: cacheFor(baseDir, SEEDED[0] as SeededCache),
    sources: [{ source: geoSource }],
    imageOptions: PNG,
  });
  for (const z of [2, 1, 0]) await geoManager.loadTiles(levelCoords(geo, z), { isSeeding: true });
  assert.deepEqual(
    geoSource.queries.map((q) => ({ bbox: [...q.bbox], size: [...q.size] })),
    GEO_REQUESTS,
  );

  const l3Source = recordingSource();
  const l3 = { ...(SEEDED[1] as SeededCache), name: 'merc_l3', layout: 'tc' as const };
  const l3Manager = new TileManager({
    grid: web,
    cache: cacheFor(baseDir, l3),
    sources: [{ source: l3Source }],
    imageOptions: PNG,
  });
  await l3Manager.loadTiles(levelCoords(web, 3), { isSeeding: true });
  const key = (r: { bbox: readonly number[]; size: readonly number[] }): string =>
    `${r.bbox.join(',')} ${r.size.join('x')}`;
  assert.deepEqual(l3Source.queries.map(key).sort(), L3_REQUESTS.map(key).sort());
  const files = (await listFiles(baseDir)).filter((f) => f.startsWith('merc_l3_'));
  assert.equal(files.length, 64);
  assert.deepEqual([...files.slice(0, 3), ...files.slice(-3)], L3_FILES_SAMPLE);
});
