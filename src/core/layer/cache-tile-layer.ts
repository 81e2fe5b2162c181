/**
 * `CacheTileLayer`: a `TileLayer` over one cache and grid (MapProxy `service/tile.py` `TileLayer`):
 * tiles through the TileManager, and MapProxy's transparent PNG where no source has data.
 */
import { formatExtension, formatMimeType, type TileManager } from '../cache/index.js';
import { limitTile, type TileCoord, type TileGrid } from '../grid/index.js';
import { blankImage, type ImageFormatOptions } from '../image/index.js';
import type { FeatureInfoSource } from '../source/index.js';
import type { BBox } from '../util/index.js';
import type { LayerDimension } from './dimensions.js';
import type { TileLayer, TileResponse } from './types.js';

export interface CacheTileLayerOptions {
  readonly name: string;
  readonly title?: string | undefined;
  /** Config name of the grid. */
  readonly gridName: string;
  readonly tileManager: TileManager;
  /** Advertised format; default the cache format (`image/png` for `mixed`). */
  readonly format?: string | undefined;
  /** Default: the layer's grid bbox. */
  readonly extent?: BBox | undefined;
  /** The coverage's EPSG:4326 bounds (see `TileLayer.llbbox`). */
  readonly llbbox?: BBox | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  /** The layer's `dimensions`, for capabilities and the services' value check. */
  readonly dimensions?: readonly LayerDimension[] | undefined;
  /** Feature-info sources for WMTS GetFeatureInfo; default none. */
  readonly infoSources?: readonly FeatureInfoSource[] | undefined;
}

/** MapProxy `empty_response`: a transparent PNG of the tile size, always PNG (`empty_response_as_png`). */
const EMPTY_TILE_OPTIONS: ImageFormatOptions = {
  format: 'image/png',
  mode: 'RGBA',
  colors: 0,
  transparent: true,
  resampling: 'bicubic',
  jpegQuality: 90,
  quantizer: null,
};

export class CacheTileLayer implements TileLayer {
  readonly name: string;
  readonly title: string;
  readonly gridName: string;
  readonly grid: TileGrid;
  readonly format: string;
  readonly configuredFormat: string;
  readonly extension: string;
  readonly extent: BBox;
  readonly llbbox: BBox | undefined;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly dimensions: readonly LayerDimension[];
  readonly infoSources: readonly FeatureInfoSource[];
  readonly tileManager: TileManager;
  #emptyTile: Promise<Buffer> | null = null;

  constructor(options: CacheTileLayerOptions) {
    const cacheFormat = options.tileManager.imageOptions.format;
    this.name = options.name;
    this.title = options.title ?? options.name;
    this.gridName = options.gridName;
    this.tileManager = options.tileManager;
    this.grid = options.tileManager.grid;
    // MapProxy advertises png for mixed caches
    this.format = options.format ?? (cacheFormat === 'mixed' ? 'image/png' : formatMimeType(cacheFormat));
    this.configuredFormat = cacheFormat === 'mixed' ? cacheFormat : this.format;
    this.extension = formatExtension(this.format);
    this.extent = options.extent ?? this.grid.bbox;
    this.llbbox = options.llbbox;
    this.metadata = options.metadata ?? {};
    this.dimensions = options.dimensions ?? [];
    this.infoSources = options.infoSources ?? [];
  }

  async getTile(
    coord: TileCoord,
    options: { dimensions?: Readonly<Record<string, string>> } = {},
  ): Promise<TileResponse | null> {
    if (limitTile(this.grid, coord) === null) return null;
    // a tile service sends the bytes: a creation for it keeps no pixels to draw maps with
    const tile = await this.tileManager.loadTile(coord, {
      withMetadata: true,
      dimensions: options.dimensions ?? {},
      bytesOnly: true,
    });
    if (tile === null) {
      // MapProxy: ImageResponse(self._empty_tile, format=format, timestamp=time.time())
      return {
        data: await this.#empty(),
        format: 'image/png',
        timestampMs: null,
        isStampedNow: true,
        cacheable: true,
      };
    }
    return {
      data: tile.data,
      format: tile.format,
      timestampMs: tile.timestampMs,
      cacheable: tile.cacheable,
      freshness: tile.freshness,
    };
  }

  #empty(): Promise<Buffer> {
    if (this.#emptyTile === null) {
      const pending = blankImage(this.grid.tileSize)
        .encode(EMPTY_TILE_OPTIONS)
        .then((encoded) => encoded.data);
      // a failed encode is retried by the next request instead of being remembered
      pending.catch(() => {
        this.#emptyTile = null;
      });
      this.#emptyTile = pending;
    }
    return this.#emptyTile;
  }
}
