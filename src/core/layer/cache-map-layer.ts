/**
 * `CacheMapLayer`: a WMS map layer over one cache grid (MapProxy `CacheMapLayer` plus
 * `ResolutionConditional` for `use_direct_from_level`/`use_direct_from_res`): the tiles of the
 * chosen level, stitched, then cropped/scaled or reprojected into the requested bbox and SRS.
 */
import { stitchTiles, type TileManager } from '../cache/index.js';
import { affectedTiles, type TileCoord } from '../grid/index.js';
import { transformImage, type ImageResult, type ResamplingMethod } from '../image/index.js';
import { SourceError, type MapQuery } from '../source/index.js';
import { renderWithinExtent } from './limit-to-extent.js';
import type { LayerExtent, MapLayer } from './map-layer.js';

export interface CacheMapLayerOptions {
  /** Config name of the cache, for errors. */
  readonly name: string;
  readonly tileManager: TileManager;
  /** Default: the grid bbox (or the cache coverage) in the grid SRS. */
  readonly extent?: LayerExtent | undefined;
  /** `globals.cache.max_tile_limit` (default 500). */
  readonly maxTileLimit?: number | undefined;
  /** Default: the cache's `resampling_method`. */
  readonly resampling?: ResamplingMethod | undefined;
  /** Requests at `fromRes` (grid units/pixel) or finer go to `layer` (the cache's sources, uncached). */
  readonly direct?: { readonly layer: MapLayer; readonly fromRes: number } | undefined;
}

export class CacheMapLayer implements MapLayer {
  readonly isTransparent: boolean;
  readonly opacity: number | null;
  readonly extent: LayerExtent;
  readonly #name: string;
  readonly #manager: TileManager;
  readonly #maxTiles: number;
  readonly #resampling: ResamplingMethod;
  readonly #direct: CacheMapLayerOptions['direct'];

  constructor(options: CacheMapLayerOptions) {
    const { tileManager } = options;
    this.#name = options.name;
    this.#manager = tileManager;
    this.isTransparent = tileManager.imageOptions.transparent;
    this.opacity = tileManager.imageOptions.opacity ?? null;
    this.extent = options.extent ?? { bbox: tileManager.grid.bbox, srs: tileManager.grid.srs };
    this.#maxTiles = options.maxTileLimit ?? 500;
    this.#resampling = options.resampling ?? tileManager.imageOptions.resampling;
    this.#direct = options.direct;
  }

  getMap(query: MapQuery): Promise<ImageResult | null> {
    const direct = this.#direct;
    if (direct !== undefined && this.#resolution(query) <= direct.fromRes) return direct.layer.getMap(query);
    return renderWithinExtent(query, this.extent, (q) => this.#render(q));
  }

  /** The query's resolution in grid units per pixel (MapProxy `ResolutionConditional`). */
  #resolution(query: MapQuery): number {
    const srs = this.#manager.grid.srs;
    const bbox = query.srs.equals(srs) ? query.bbox : query.srs.transformBBox(srs, query.bbox);
    return Math.min((bbox[2] - bbox[0]) / query.size[0], (bbox[3] - bbox[1]) / query.size[1]);
  }

  async #render(query: MapQuery): Promise<ImageResult | null> {
    const grid = this.#manager.grid;
    // 1. the level and tiles (MapProxy get_affected_tiles with req_srs)
    const affected = affectedTiles(grid, query.bbox, query.size, query.srs);
    if (affected === null) return null;
    const coords = affected.tiles.filter((t): t is TileCoord => t !== null);
    if (coords.length >= this.#maxTiles) {
      throw new SourceError(`too many tiles, max_tile_limit: ${this.#maxTiles}`, 'SOURCE_INVALID_QUERY', {
        sourceName: this.#name,
      });
    }
    // 2. load (creating missing tiles through the TileManager)
    const loaded = await this.#manager.loadTiles(coords, { dimensions: query.dimensions });
    if (loaded.every((t) => t === null)) return null;
    const byKey = new Map(coords.map((c, i) => [`${c.x}/${c.y}`, loaded[i] ?? null]));
    const tiles = affected.tiles.map((c) => (c === null ? null : (byKey.get(`${c.x}/${c.y}`) ?? null)));
    // 3. stitch, then crop/scale or reproject into the request (MapProxy TiledImage.transform)
    const stitched = await stitchTiles(tiles, affected.gridSize, grid.tileSize);
    return transformImage(
      stitched,
      { bbox: affected.bbox, srs: grid.srs },
      { bbox: query.bbox, srs: query.srs, size: query.size },
      { resampling: this.#resampling },
    );
  }
}
