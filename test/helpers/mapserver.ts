/**
 * Real MapServer (Debian's cgi-mapserver) for system tests: a node:http bridge on 127.0.0.1, port 0,
 * that runs /usr/lib/cgi-bin/mapserv as CGI for every request, and writes the mapfile it serves.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { atTestEnd } from './test-end.js';

/** The CGI binary; `MAPSERV` overrides it. */
export const MAPSERV = process.env.MAPSERV ?? '/usr/lib/cgi-bin/mapserv';

export interface MapServerCgi {
  /** `http://127.0.0.1:<port>/mapserv`: the WMS endpoint (append `?`). */
  readonly url: string;
  /** The query strings of every request so far. */
  readonly requests: readonly URLSearchParams[];
}

/** A one-layer WMS mapfile for the raster `data` (a GDAL dataset in EPSG:4326), in `dir`. */
export async function writeRasterMapfile(dir: string, layer: string, data: string): Promise<string> {
  const mapfile = join(dir, `${layer}.map`);
  await writeFile(
    mapfile,
    `MAP
  NAME "${layer}"
  EXTENT -180 -90 180 90
  SIZE 256 256
  PROJECTION "init=epsg:4326" END
  WEB
    METADATA
      "wms_title" "${layer}"
      "wms_onlineresource" "http://127.0.0.1/mapserv?"
      "wms_srs" "EPSG:4326 EPSG:3857"
      "wms_enable_request" "*"
    END
  END
  OUTPUTFORMAT NAME "png" DRIVER AGG/PNG MIMETYPE "image/png" IMAGEMODE RGBA EXTENSION "png" END
  LAYER
    NAME "${layer}"
    TYPE RASTER
    STATUS ON
    DATA "${data}"
    PROJECTION "init=epsg:4326" END
    METADATA "wms_title" "${layer}" END
  END
END
`,
  );
  // MapServer 8 refuses to run without a config file; this one allows absolute mapfile paths
  await writeFile(join(dir, 'mapserver.conf'), 'CONFIG\n  ENV\n    MS_MAP_PATTERN "^/"\n  END\nEND\n');
  return mapfile;
}

/** Runs mapserv once as CGI; resolves with its raw stdout. */
function runCgi(mapfile: string, query: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(MAPSERV, [], {
      env: {
        PATH: process.env.PATH,
        REQUEST_METHOD: 'GET',
        QUERY_STRING: query,
        MS_MAPFILE: mapfile,
        MAPSERVER_CONFIG_FILE: join(mapfile, '..', 'mapserver.conf'),
        SERVER_NAME: '127.0.0.1',
        SCRIPT_NAME: '/mapserv',
        GATEWAY_INTERFACE: 'CGI/1.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', () => {
      resolve(Buffer.concat(chunks));
    });
  });
}

/** Splits CGI output into status, headers and body (headers end at the first blank line, CRLF or LF). */
function parseCgi(output: Buffer): { status: number; headers: Record<string, string>; body: Buffer } {
  const crlf = output.indexOf('\r\n\r\n');
  const lf = output.indexOf('\n\n');
  const [end, gap] = crlf !== -1 && (lf === -1 || crlf < lf) ? [crlf, 4] : [lf, 2];
  if (end === -1) return { status: 502, headers: { 'content-type': 'text/plain' }, body: output };
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of output.subarray(0, end).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'status') status = Number.parseInt(value, 10);
    else headers[name] = value;
  }
  return { status, headers, body: output.subarray(end + gap) };
}

/** Answers one bridged request: `query` run through mapserv on `mapfile`, its CGI output as the reply. */
export function answerWithMapServer(mapfile: string, query: string, res: ServerResponse): void {
  runCgi(mapfile, query).then(
    (output) => {
      const { status, headers, body } = parseCgi(output);
      res.writeHead(status, { ...headers, 'content-length': String(body.length) }).end(body);
    },
    (error: unknown) => {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(String(error));
    },
  );
}

/** Serves `mapfile` through mapserv on 127.0.0.1, port 0; closed after the test. */
export async function startMapServer(t: TestContext, mapfile: string): Promise<MapServerCgi> {
  const requests: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const query = (req.url ?? '').split('?')[1] ?? '';
    requests.push(new URLSearchParams(query));
    req.resume();
    answerWithMapServer(mapfile, query, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  atTestEnd(
    t,
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/mapserv`, requests };
}

/**
 * Points the mapserv binaries a server in this process runs at `configFile` until the test ends
 * (MapServer 8 runs only with a config file; MapProxy passes its own environment to the binary,
 * and so do we).
 */
export function useMapServerConfig(t: TestContext, configFile: string): void {
  const saved = process.env.MAPSERVER_CONFIG_FILE;
  process.env.MAPSERVER_CONFIG_FILE = configFile;
  t.after(() => {
    if (saved === undefined) delete process.env.MAPSERVER_CONFIG_FILE;
    else process.env.MAPSERVER_CONFIG_FILE = saved;
  });
}
