/**
 * Coverage features from any OGR data source (shapefile, GeoPackage, PG:..., GeoJSON with `where`)
 * through Debian's `ogr2ogr`/`ogrinfo` (gdal-bin), as MapProxy `util/ogr.py` reads them through
 * libgdal. Synchronous: coverages are built once, at start-up.
 */
import { execFileSync } from 'node:child_process';

/** ogr2ogr or ogrinfo is not installed, or failed (the message ends with its stderr's first line). */
export class OgrError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OgrError';
  }
}

// both come with Debian's gdal-bin
const OGR2OGR = 'ogr2ogr';
const OGRINFO = 'ogrinfo';

const TIMEOUT_MS = 120_000;
const MAX_BUFFER_BYTES = 512 * 1024 * 1024;

function run(program: string, args: readonly string[], datasource: string): string {
  try {
    return execFileSync(program, args, {
      encoding: 'utf8',
      timeout: TIMEOUT_MS,
      maxBuffer: MAX_BUFFER_BYTES,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const { code, stderr, stdout } = error as { code?: string; stderr?: string; stdout?: string };
    if (code === 'ENOENT') {
      throw new OgrError(`reading ${datasource} needs ${program} (apt-get install gdal-bin)`, {
        cause: error,
      });
    }
    // ogrinfo writes its `FAILURE:` (on a line of its own before the message) to stdout
    const lines = `${stderr ?? ''}\n${stdout ?? ''}`
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
    const first = lines[0]?.endsWith(':') === true ? lines.slice(0, 2).join(' ') : lines[0];
    const why = first ?? (error instanceof Error ? error.message : String(error));
    throw new OgrError(`can't read OGR datasource ${datasource}: ${why}`, { cause: error });
  }
}

/**
 * The name of the data source's first layer (MapProxy `GetLayerByIndex(0)`), from `ogrinfo`'s
 * layer list: `1: name (Polygon)`, geometry types only when the layer has geometry.
 */
function firstLayerName(datasource: string): string {
  const listing = run(OGRINFO, ['-ro', '-q', datasource], datasource);
  const line = listing.split('\n').find((l) => l.startsWith('1: '));
  if (line === undefined) throw new OgrError(`OGR datasource ${datasource} has no layer`);
  // geometry types are words, spaces and "Unknown (any)", several joined by ", "
  return line.slice(3).replace(/ \((?:[\w ]|\(any\)|, )+\)$/, '');
}

/**
 * MapProxy `OGRShapeReader.wkts`: the features of the first layer of `datasource` or, with a
 * `where`, of `select * from "<first layer>" where <where>` (a `where` that starts with `select`
 * is the whole statement), executed in the driver's default SQL dialect as `OGR_DS_ExecuteSQL`
 * does, as a parsed GeoJSON FeatureCollection. Coordinates stay in the data source's own SRS (the
 * coverage's `srs` names it). Throws `OgrError` when ogr2ogr is missing or fails, `SyntaxError`
 * when its output does not parse.
 */
export function readOgrDatasource(datasource: string, where?: string): unknown {
  const selection: string[] = [];
  if (where !== undefined && where !== '') {
    const sql = where.toLowerCase().startsWith('select')
      ? where
      : `select * from "${firstLayerName(datasource)}" where ${where}`;
    selection.push('-sql', sql);
  }
  // GeoJSON to stdout without RFC 7946: no reprojection, full precision; -dim XY drops Z/M
  const args = ['-f', 'GeoJSON', '-dim', 'XY', '/vsistdout/', datasource, ...selection];
  if (selection.length === 0) args.push(firstLayerName(datasource));
  return JSON.parse(run(OGR2OGR, args, datasource));
}
