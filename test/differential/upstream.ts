/**
 * The upstream both servers of a differential run talk to: MapServer (test/helpers/mapserver.ts)
 * over a generated world raster for every WMS request, generated tiles for every other path, and
 * failures on demand. Each side gets its own front, so each side's upstream requests are recorded.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { startMapServer } from '../helpers/mapserver.js';

const run = promisify(execFile);

/** SRS codes the mapfile offers (MapServer answers an exception for others, as a real WMS does). */
const WMS_SRS = [
  4326, 4258, 3857, 900913, 25831, 25832, 25833, 31466, 31467, 31468, 32632, 32633, 3395, 2154,
];

export interface Upstream {
  /** `http://127.0.0.1:<port>`: the front of one side. */
  readonly url: string;
  /** Requests since the last `take()`, as `path?sorted-query` with numbers rounded. */
  take(): string[];
  close(): Promise<void>;
}

export interface MapServerBackend {
  readonly url: string;
  close(): Promise<void>;
}

/** Generates the world raster (a colour gradient with a grid, EPSG:4326) and starts MapServer. */
export async function startBackend(dir: string): Promise<MapServerBackend> {
  await mkdir(dir, { recursive: true });
  const width = 1440;
  const height = 720;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const line = x % 60 === 0 || y % 60 === 0;
      pixels[i] = line ? 20 : Math.round((x / width) * 255);
      pixels[i + 1] = line ? 20 : Math.round((y / height) * 255);
      pixels[i + 2] = line ? 20 : (Math.floor(x / 30) + Math.floor(y / 30)) % 2 === 0 ? 200 : 90;
    }
  }
  const png = join(dir, 'world.png');
  await sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(png);
  const tif = join(dir, 'world.tif');
  await run('gdal_translate', ['-q', '-a_srs', 'EPSG:4326', '-a_ullr', '-180', '90', '180', '-90', png, tif]);
  const mapfile = join(dir, 'world.map');
  await writeFile(
    mapfile,
    `MAP
  NAME "world"
  EXTENT -180 -90 180 90
  SIZE 256 256
  MAXSIZE 8192
  PROJECTION "init=epsg:4326" END
  WEB
    METADATA
      "wms_title" "world"
      "wms_onlineresource" "http://127.0.0.1/mapserv?"
      "wms_srs" "${WMS_SRS.map((code) => `EPSG:${code}`).join(' ')}"
      "wms_enable_request" "*"
    END
  END
  OUTPUTFORMAT NAME "png" DRIVER AGG/PNG MIMETYPE "image/png" IMAGEMODE RGBA EXTENSION "png" END
  OUTPUTFORMAT NAME "jpeg" DRIVER AGG/JPEG MIMETYPE "image/jpeg" IMAGEMODE RGB EXTENSION "jpg" END
  OUTPUTFORMAT NAME "gif" DRIVER GD/GIF MIMETYPE "image/gif" IMAGEMODE PC256 EXTENSION "gif" END
  OUTPUTFORMAT NAME "tiff" DRIVER GDAL/GTiff MIMETYPE "image/tiff" IMAGEMODE RGBA EXTENSION "tif" END
  LAYER
    NAME "data"
    TYPE RASTER
    STATUS ON
    DATA "${tif}"
    PROJECTION "init=epsg:4326" END
    METADATA "wms_title" "data" END
  END
END
`,
  );
  await writeFile(join(dir, 'mapserver.conf'), 'CONFIG\n  ENV\n    MS_MAP_PATTERN "^/"\n  END\nEND\n');
  const cleanups: (() => unknown)[] = [];
  // the helper takes a TestContext only to register its cleanup (an after hook, and its signal's
  // abort since 1b0b15f: a signal that never aborts)
  const context = {
    after: (fn: () => unknown) => cleanups.push(fn),
    signal: new AbortController().signal,
  } as unknown as TestContext;
  const server = await startMapServer(context, mapfile);
  return {
    url: server.url,
    close: async () => {
      for (const fn of cleanups) await fn();
    },
  };
}

/** One side's front: records every request and forwards WMS requests to MapServer. */
export async function startFront(backend: MapServerBackend): Promise<Upstream> {
  let log: string[] = [];
  const tiles = new Map<string, Buffer>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    log.push(normaliseRequest(url));
    req.resume();
    handle(url, backend, tiles).then(
      ({ status, type, body }) => res.writeHead(status, { 'content-type': type }).end(body),
      (error: unknown) => res.writeHead(502, { 'content-type': 'text/plain' }).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    take: () => {
      const taken = log;
      log = [];
      return taken;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

interface Reply {
  readonly status: number;
  readonly type: string;
  readonly body: Buffer;
}

async function handle(url: URL, backend: MapServerBackend, tiles: Map<string, Buffer>): Promise<Reply> {
  // 1. failures on demand: any path with a `fail` segment
  if (url.pathname.split('/').includes('fail')) {
    return { status: 500, type: 'text/plain', body: Buffer.from('upstream failure on purpose') };
  }
  const params = new Map([...url.searchParams].map(([key, value]) => [key.toLowerCase(), value]));
  const request = params.get('request')?.toLowerCase();
  // 2. WMS: MapServer serves one layer `data`; the configs name other layers
  if (request !== undefined && request !== '') {
    if (request === 'getfeatureinfo') {
      return { status: 200, type: 'text/plain', body: Buffer.from(`feature info ${url.pathname}`) };
    }
    const forward = new URLSearchParams();
    for (const [key, value] of url.searchParams) {
      const lower = key.toLowerCase();
      if (lower === 'layers' || lower === 'layer' || lower === 'query_layers') forward.set(key, 'data');
      else if (lower === 'styles') forward.set(key, '');
      else if (lower === 'srs' || lower === 'crs')
        forward.set(key, value === 'EPSG:900913' ? 'EPSG:3857' : value);
      else if (lower === 'format') forward.set(key, wmsFormat(value));
      else forward.set(key, value);
    }
    const res = await fetch(`${backend.url}?${forward.toString()}`);
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? 'application/octet-stream',
      body: Buffer.from(await res.arrayBuffer()),
    };
  }
  // 3. tiles: a colour per path, so a misplaced tile shows; an ArcGIS REST export (`size=w,h`)
  // gets a colour per request at the size it asks for
  const exportSize = /^(\d+),(\d+)$/.exec(url.searchParams.get('size') ?? '');
  const [width, height] = exportSize === null ? [256, 256] : [Number(exportSize[1]), Number(exportSize[2])];
  const key = exportSize === null ? url.pathname : `${url.pathname}${url.search}`;
  let body = tiles.get(key);
  const jpeg = /\.jpe?g$/i.test(url.pathname) || url.searchParams.get('format') === 'jpeg';
  if (body === undefined) {
    const hash = createHash('sha1').update(key).digest();
    const image = sharp({
      create: { width, height, channels: 3, background: { r: hash[0]!, g: hash[1]!, b: hash[2]! } },
    });
    body = jpeg ? await image.jpeg().toBuffer() : await image.png().toBuffer();
    tiles.set(key, body);
  }
  return { status: 200, type: jpeg ? 'image/jpeg' : 'image/png', body };
}

function wmsFormat(value: string): string {
  const base = value.split(';')[0]!.trim().toLowerCase();
  return ['image/png', 'image/jpeg', 'image/gif', 'image/tiff'].includes(base) ? base : 'image/png';
}

/** `path?k=v&…` with keys lower-cased and sorted and numbers rounded, for comparing request sets. */
export function normaliseRequest(url: URL): string {
  const pairs = [...url.searchParams]
    .map(([key, value]) => [key.toLowerCase(), roundNumbers(value)] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  return `${url.pathname}?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`;
}

/** Rounds every decimal number in `text` to 7 significant digits. */
export function roundNumbers(text: string): string {
  return text.replace(/-?\d+\.\d+(?:e[-+]?\d+)?/gi, (n) => String(Number(Number(n).toPrecision(7))));
}
