/**
 * The `tile` source (MapProxy `source/tile.py` + `client/tile.py`): one upstream tile per query,
 * addressed by a `%(x)s`-style URL template in the source grid's own origin.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  expandTileUrl,
  httpGet,
  imageMaxBytes,
  splitUrlCredentials,
  TILE_URL_PLACEHOLDERS,
  tileUrlPlaceholders,
  type HttpResponse,
} from '../client/index.js';
import { affectedTiles, createTileGrid, GLOBAL_MERCATOR, tileBBox, type TileGrid } from '../grid/index.js';
import type { ImageResult } from '../image/index.js';
import { getLogger, pyStrRepr } from '../util/index.js';
import { SourceError } from './errors.js';
import { imageFromUpstream } from './images.js';
import type { CommonSourceOptions } from './options.js';
import { createResolutionRange } from './resolution-range.js';
import { onErrorImage, toSourceError } from './upstream-errors.js';
import type { GetMapOptions, MapQuery, MapSource } from './types.js';

const log = getLogger('mapproxy.source.tile');
const configLog = getLogger('mapproxy.config');

/** MapProxy's `sources.<name>` keys of `type: tile`. */
export interface TileSourceOptions extends CommonSourceOptions {
  /**
   * `url`: template with `%(x)s %(y)s %(z)s %(format)s %(quadkey)s %(tc_path)s %(tms_path)s
   * %(arcgiscache_path)s %(bbox)s` (Python `%` conversions such as `%(z)02d` work too);
   * `user:pass@` becomes Basic auth; `file://` templates read local files.
   */
  readonly url: string;
  /** `grid`: the upstream's tiling; default GLOBAL_MERCATOR (with MapProxy's warning). */
  readonly grid?: TileGrid | undefined;
  /** `origin`: deprecated since MapProxy 1.3.0 and ignored (use a grid with the right origin). */
  readonly origin?: string | undefined;
}

const KNOWN_PLACEHOLDERS: ReadonlySet<string> = new Set(TILE_URL_PLACEHOLDERS);

/** `image/png; mode=8bit` -> `png` (MapProxy `file_ext`). */
function fileExt(format: string): string {
  const base = format.split(';')[0]?.trim() ?? '';
  return base.includes('/') ? (base.split('/')[1] ?? '') : base;
}

/**
 * Creates a tile source. Throws `SourceError` (`SOURCE_INVALID_CONFIG`) for an unknown URL
 * placeholder or a bad `min_res`/`max_res` pair.
 */
export function createTileSource(options: TileSourceOptions): MapSource {
  const { name } = options;
  const { url: template, username, password } = splitUrlCredentials(options.url);
  const unknown = tileUrlPlaceholders(template).filter((placeholder) => !KNOWN_PLACEHOLDERS.has(placeholder));
  if (unknown.length > 0) {
    throw new SourceError(
      `unknown placeholder %(${unknown.join(')s, %(')})s in tile source url ${template}`,
      'SOURCE_INVALID_CONFIG',
      {
        sourceName: name,
      },
    );
  }
  if (options.origin !== undefined) {
    configLog.warn(
      'origin for tile sources is deprecated since 1.3.0 and will be ignored. use grid with correct origin.',
    );
  }
  if (options.grid === undefined) {
    configLog.warn(
      `tile source for ${template} does not have a grid configured and defaults to GLOBAL_MERCATOR. default will change with MapProxy 2.0`,
    );
  }
  const grid = options.grid ?? createTileGrid(GLOBAL_MERCATOR);
  const resRange = createResolutionRange(name, options);
  const coverage = options.coverage ?? null;
  const http = options.http ?? {};
  const hideErrorDetails = http.hideErrorDetails ?? true;
  const needsBBox = tileUrlPlaceholders(template).includes('bbox');

  function invalidQuery(message: string, logAsConfig: boolean): SourceError {
    if (logAsConfig) configLog.error(message);
    return new SourceError(message, 'SOURCE_INVALID_QUERY', { sourceName: name });
  }

  async function fetchTile(url: string, signal: AbortSignal | undefined): Promise<HttpResponse> {
    if (url.startsWith('file://')) {
      return { status: 200, headers: {}, body: await readFile(fileURLToPath(url)), url };
    }
    return httpGet(url, {
      headers: http.headers,
      timeoutMs: http.timeoutMs,
      tls: http.tls,
      signal,
      credentials: username === null ? undefined : { username, password },
      sourceName: name,
      cookieJar: http.cookieJar,
      maxBytes: imageMaxBytes(grid.tileSize),
    });
  }

  return {
    name,
    isTransparent: options.transparent ?? false,
    tileGrid: grid,
    async getMap(query: MapQuery, getMapOptions: GetMapOptions = {}): Promise<ImageResult | null> {
      if (options.seedOnly === true && !query.isSeeding) return null;
      // 1. the query must be one tile of our grid: same tile size, same SRS, aligned
      if (grid.tileSize[0] !== query.size[0] || grid.tileSize[1] !== query.size[1]) {
        throw invalidQuery(
          `tile size of cache and tile source do not match: (${grid.tileSize.join(', ')}) != (${query.size.join(', ')})`,
          true,
        );
      }
      if (!grid.srs.equals(query.srs)) {
        throw invalidQuery(
          `SRS of cache and tile source do not match: SRS('${grid.srs.code}') != SRS('${query.srs.code}')`,
          true,
        );
      }
      // 2. nothing outside the resolution range or the coverage
      if (resRange !== null && !resRange.contains(query.bbox, query.size, query.srs)) return null;
      if (coverage !== null && !coverage.intersects(query.bbox, query.srs)) return null;
      const affected = affectedTiles(grid, query.bbox, query.size);
      const coord = affected?.tiles[0] ?? null;
      if (affected === null || coord === null || affected.gridSize[0] !== 1 || affected.gridSize[1] !== 1) {
        throw invalidQuery('BBOX does not align to tile', false);
      }
      // 3. fetch; a reply that is not an image is an error (MapProxy `open_image`)
      const format = fileExt(query.format);
      const url = expandTileUrl(template, coord, format, needsBBox ? tileBBox(grid, coord) : undefined);
      try {
        const response = await fetchTile(url, getMapOptions.signal);
        const contentType = response.headers['content-type'];
        if (contentType !== undefined && !contentType.toLowerCase().startsWith('image')) {
          const body = response.body.toString('latin1');
          throw new SourceError(`response is not an image: (b${pyStrRepr(body)})`, 'SOURCE_NOT_IMAGE', {
            sourceName: name,
          });
        }
        const mime = contentType?.split(';')[0]?.trim().toLowerCase() ?? `image/${format}`;
        // 4. exactly the grid's tile size and fully decodable: never padded, cropped or stored broken
        return await imageFromUpstream(response.body, mime, {
          size: grid.tileSize,
          sourceName: name,
          origin: 'tile source',
        });
      } catch (error) {
        const sourceError = toSourceError(error, name, hideErrorDetails);
        if (!(sourceError instanceof SourceError) || sourceError.code === 'SOURCE_INVALID_QUERY')
          throw sourceError;
        // on_error covers HTTP statuses; timeouts, connection errors, non-images and images of the
        // wrong size or that do not decode count as `other`
        const image = onErrorImage(options.onError, sourceError.status, query.size);
        if (image !== null) return image;
        const reason = sourceError.cause instanceof Error ? sourceError.cause.message : sourceError.message;
        log.warn(`could not retrieve tile: ${reason}`);
        throw sourceError;
      }
    },
  };
}
