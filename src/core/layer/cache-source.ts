/**
 * `CacheSource`: a cache used as the source of another cache or layer (MapProxy
 * `source/tile.py` `CacheSource`). Whole tiles pass through untouched; other areas are stitched.
 */
import { storedImage, tilesToImage, type TileManager } from '../cache/index.js';
import { affectedTiles, resolution, tileBBox, type TileCoord, type TileGrid } from '../grid/index.js';
import type { ImageResult } from '../image/index.js';
import { SourceError, type MapQuery, type MapSource } from '../source/index.js';
import { CacheMapLayer } from './cache-map-layer.js';
import { renderWithinExtent } from './limit-to-extent.js';
import type { LayerExtent } from './map-layer.js';

export interface CacheSourceOptions {
  /** Config name of the cache, for logs and errors. */
  readonly name: string;
  readonly tileManager: TileManager;
  /**
   * MapProxy `tiled_only`: the consuming cache has a compatible grid, so it asks for whole tiles
   * (`tileGrid` is then this cache's grid and the consumer makes single-tile requests).
   */
  readonly tiledOnly?: boolean | undefined;
  /** Most tiles stitched for one query (`globals.max_tile_limit`, default 500). */
  readonly maxTileLimit?: number | undefined;
  /**
   * MapProxy `CacheConfiguration.source()`: the source cache's extent intersected with the
   * consuming cache's grid bbox. A free-form query reaching beyond it renders only the part inside
   * (transparent elsewhere); not applied to `tiledOnly` access. Default: no limit.
   */
  readonly extent?: LayerExtent | undefined;
}

export class CacheSource implements MapSource {
  readonly name: string;
  readonly isTransparent: boolean;
  readonly tileGrid: TileGrid | null;
  readonly answerFormat: string | undefined;
  readonly #manager: TileManager;
  readonly #maxTiles: number;
  readonly #reprojecting: CacheMapLayer;
  readonly #extent: LayerExtent | undefined;

  constructor(options: CacheSourceOptions) {
    this.name = options.name;
    this.#manager = options.tileManager;
    this.isTransparent = options.tileManager.imageOptions.transparent;
    this.tileGrid = options.tiledOnly ? options.tileManager.grid : null;
    this.answerFormat = options.tiledOnly ? options.tileManager.imageOptions.format : undefined;
    this.#maxTiles = options.maxTileLimit ?? 500;
    this.#extent = options.tiledOnly ? undefined : options.extent;
    this.#reprojecting = new CacheMapLayer({
      tileManager: options.tileManager,
      maxTileLimit: this.#maxTiles,
    });
  }

  /**
   * The cached (or created) tiles under `query`. A query that is exactly one tile of the grid gets
   * the stored bytes unchanged; other queries in the grid SRS are stitched and scaled, queries in
   * another SRS reprojected (as `CacheMapLayer` does). Resolves null where the cache has nothing.
   * Rejects with `SourceError` (`SOURCE_INVALID_QUERY`) beyond `max_tile_limit`.
   */
  getMap(query: MapQuery): Promise<ImageResult | null> {
    // MapProxy CacheMapLayer.get_map: a query not wholly inside the extent renders the part inside
    // (cache_source.yaml: a UTM cache fed by a mercator one stays blank beyond the UTM grid bbox)
    const extent = this.#extent;
    return extent === undefined
      ? this.#render(query)
      : renderWithinExtent(query, extent, (q) => this.#render(q));
  }

  async #render(query: MapQuery): Promise<ImageResult | null> {
    const grid = this.#manager.grid;
    // MapProxy's CacheSource is a CacheMapLayer: another SRS is stitched and reprojected as a
    // WMS GetMap of the cache would be (cache_source.yaml: a UTM cache fed by a mercator one)
    if (!query.srs.equals(grid.srs)) return this.#reprojecting.getMap(query);
    const affected = affectedTiles(grid, query.bbox, query.size);
    if (affected === null) return null;
    // MapProxy CacheSource is a CacheMapLayer: it counts the block (inside the grid or not) first
    if (this.#maxTiles > 0 && affected.count >= this.#maxTiles) {
      throw new SourceError(
        `too many tiles, max_tile_limit: ${this.#maxTiles}, num_tiles: ${affected.count}`,
        'SOURCE_INVALID_QUERY',
        { sourceName: this.name },
      );
    }
    const options = { dimensions: query.dimensions, isSeeding: query.isSeeding, withMetadata: false };
    const single = exactTile(grid, affected.tiles, query);
    if (single !== null) {
      // 1. whole tile: stored bytes pass through without decoding
      const tile = await this.#manager.loadTile(single, options);
      if (tile === null) return null;
      const stored = storedImage(tile.data, tile.format);
      // a tile created for this request keeps its image beside the bytes (MapProxy's ImageSource
      // keeps _img): its pixels are the unquantised ones, white where a sub image is transparent
      const created = tile.image;
      return created === undefined
        ? stored
        : {
            size: stored.size,
            format: stored.format,
            encode: (o) => stored.encode(o),
            raw: () => created.raw(),
          };
    }
    const coords = affected.tiles.filter((t): t is TileCoord => t !== null);
    // 2. any other area: stitch the tiles and cut out the query
    const loaded = await this.#manager.loadTiles(coords, options);
    if (loaded.every((t) => t === null)) return null;
    const byKey = new Map(coords.map((c, i) => [`${c.x}/${c.y}`, loaded[i] ?? null]));
    const tiles = affected.tiles.map((c) => (c === null ? null : (byKey.get(`${c.x}/${c.y}`) ?? null)));
    return tilesToImage(
      grid,
      tiles,
      affected.gridSize,
      affected.bbox,
      query.bbox,
      query.size,
      this.#manager.imageOptions,
    );
  }
}

/** The tile that `query` asks for exactly (same bbox within 1/1000 pixel, tile size), or null. */
function exactTile(grid: TileGrid, tiles: readonly (TileCoord | null)[], query: MapQuery): TileCoord | null {
  const only = tiles.length === 1 ? tiles[0] : null;
  if (only === null || only === undefined) return null;
  if (query.size[0] !== grid.tileSize[0] || query.size[1] !== grid.tileSize[1]) return null;
  const bbox = tileBBox(grid, only);
  const tolerance = resolution(grid, only.z) / 1000;
  return bbox.every((v, i) => Math.abs(v - (query.bbox[i] ?? NaN)) <= tolerance) ? only : null;
}
