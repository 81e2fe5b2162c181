/**
 * The deploy bench's upstream: real MapServer (Debian's CGI mapserv, one process per request)
 * rendering a generated raster (noise over a colour ramp, EPSG:4326, with a world file) in any
 * requested SRS, so every upstream request has a real cost. Also measures how busy it was.
 */
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { answerWithMapServer, MAPSERV, writeRasterMapfile } from '../test/helpers/mapserver.js';
import { listenAsBenchUpstream, type BenchUpstream } from './upstream.js';

/** True when the mapserv CGI binary is installed. */
export const hasMapServer = (): boolean => existsSync(MAPSERV);

/** A world raster with structure at every scale: smooth ramps plus deterministic noise. */
async function writeRaster(dir: string): Promise<string> {
  const [width, height] = [3600, 1800];
  const rgb = Buffer.alloc(width * height * 3);
  let state = 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      state = (state * 1103515245 + 12345) >>> 0;
      const noise = state >>> 28;
      const at = (y * width + x) * 3;
      rgb[at] = ((x * 255) / width + noise) & 255;
      rgb[at + 1] = ((y * 255) / height + ((x >> 5) & 15)) & 255;
      rgb[at + 2] = (((x ^ y) >> 3) & 127) + noise * 4;
    }
  }
  const file = join(dir, 'world.png');
  await sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(file);
  // world file: pixel size, rotation, upper-left pixel centre
  await writeFile(join(dir, 'world.pgw'), `0.1\n0\n0\n-0.1\n${-180 + 0.05}\n${90 - 0.05}\n`);
  return file;
}

/** Starts the MapServer bridge on 127.0.0.1, port 0; every path answers as the WMS (layer `osm`). */
export async function startMapServerUpstream(): Promise<BenchUpstream> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-mapserver-'));
  const mapfile = await writeRasterMapfile(dir, 'osm', await writeRaster(dir));
  const counter = { count: 0, busyMs: 0 };
  const server = createServer((req, res) => {
    const query = (req.url ?? '').split('?')[1] ?? '';
    req.resume();
    if (/request=getmap/i.test(query)) {
      counter.count += 1;
      // issue 13: a seeder keeps the upstream busy when its wall time is near busy time / concurrency
      const started = performance.now();
      res.once('finish', () => (counter.busyMs += performance.now() - started));
    }
    answerWithMapServer(mapfile, query, res);
  });
  const base = await listenAsBenchUpstream(server, counter, () => rm(dir, { recursive: true, force: true }));
  return {
    url: base.url,
    get count() {
      return counter.count;
    },
    get busyMs() {
      return counter.busyMs;
    },
    resetCount() {
      counter.count = 0;
      counter.busyMs = 0;
    },
    close: () => base.close(),
  };
}
