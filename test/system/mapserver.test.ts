/**
 * The tile pipeline against real MapServer (Debian's cgi-mapserver through test/helpers/mapserver.ts):
 * a GDAL raster with four coloured quadrants, served as WMS, cached and published as TMS by us.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { makeTempDir } from '../helpers/fixtures.js';
import { startMapServer, writeRasterMapfile } from '../helpers/mapserver.js';
import { needs } from '../helpers/system-programs.js';
import { startProxy } from '../helpers/proxy.js';
import { pixelAt } from '../helpers/upstream.js';

const skip = needs('mapserv', 'gdal');

type Rgb = readonly [number, number, number];
/** The quadrants of the raster: north-west, north-east, south-west, south-east. */
const NW: Rgb = [200, 0, 0];
const NE: Rgb = [0, 160, 0];
const SW: Rgb = [0, 0, 200];
const SE: Rgb = [220, 200, 0];

/** A 360x180 GeoTIFF covering the world in EPSG:4326 (1 px per degree), made with gdal_translate. */
async function quadrantRaster(dir: string): Promise<string> {
  const [width, height] = [360, 180];
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const north = y < height / 2;
      const west = x < width / 2;
      raw.set(north ? (west ? NW : NE) : west ? SW : SE, (y * width + x) * 3);
    }
  }
  const png = join(dir, 'quadrants.png');
  await sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(png);
  const tif = join(dir, 'quadrants.tif');
  await promisify(execFile)('gdal_translate', [
    '-q',
    '-of',
    'GTiff',
    '-a_srs',
    'EPSG:4326',
    '-a_ullr',
    '-180',
    '90',
    '180',
    '-90',
    png,
    tif,
  ]);
  return tif;
}

test(
  "a TMS tile is created from MapServer with the raster's colours, then served from disk",
  { skip },
  async (t) => {
    const dir = await makeTempDir(t, 'mapserver-');
    const mapfile = await writeRasterMapfile(dir, 'quadrants', await quadrantRaster(dir));
    const mapserver = await startMapServer(t, mapfile);
    const proxy = await startProxy(t, 'system/mapserver-cache.yaml', { MAPSERVER_URL: `${mapserver.url}?` });

    // TMS level 0 is grid level 1 (2x2 tiles: MapProxy skips the 1x1 level for the TMS profile);
    // rows count from the bottom, so 0/1 is the north-west
    const tiles = [
      ['/tms/1.0.0/quadrants/EPSG3857/0/0/1.png', NW],
      ['/tms/1.0.0/quadrants/EPSG3857/0/1/1.png', NE],
      ['/tms/1.0.0/quadrants/EPSG3857/0/0/0.png', SW],
      ['/tms/1.0.0/quadrants/EPSG3857/0/1/0.png', SE],
    ] as const;
    for (const attempt of ['created', 'from disk']) {
      for (const [path, colour] of tiles) {
        const res = await fetch(`${proxy.url}${path}`);
        assert.equal(res.status, 200, `${attempt} ${path}`);
        assert.equal(res.headers.get('content-type'), 'image/png');
        const body = Buffer.from(await res.arrayBuffer());
        const { width, height } = await sharp(body).metadata();
        assert.deepEqual([width, height], [256, 256]);
        for (const [x, y] of [
          [8, 8],
          [128, 128],
          [247, 247],
        ] as const) {
          assert.deepEqual(await pixelAt(body, x, y), [...colour, 255], `${attempt} ${path} at ${x},${y}`);
        }
      }
    }
    // one 2x2 meta tile covers the level: MapServer was asked once, in the grid's SRS, for 512x512 px
    assert.equal(mapserver.requests.length, 1);
    // WMS keys are case-insensitive; we send them lower-cased, as MapProxy does
    const request = new Map(
      [...(mapserver.requests[0] ?? [])].map(([key, value]) => [key.toLowerCase(), value]),
    );
    assert.equal(request.get('request'), 'GetMap');
    assert.equal(request.get('srs'), 'EPSG:3857');
    assert.equal(request.get('width'), '512');
    const stored = await readdir(join(proxy.dir, 'cache_data', 'quadrants_cache_EPSG3857'), {
      recursive: true,
    });
    assert.equal(stored.filter((f) => f.endsWith('.png')).length, 4);
  },
);
