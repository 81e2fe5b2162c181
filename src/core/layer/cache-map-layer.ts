/**
 * `CacheMapLayer`: a WMS map layer over one cache grid (MapProxy `CacheMapLayer` plus
 * `ResolutionConditional` for `use_direct_from_level`/`use_direct_from_res`): the tiles of the
 * chosen level, stitched, then cropped/scaled or reprojected into the requested bbox and SRS.
 */
import {
  formatExtension,
  loneTileImage,
  stitchTiles,
  type TileManager,
  type TileResult,
} from '../cache/index.js';
import { affectedTiles, GridError, type AffectedTiles, type TileCoord } from '../grid/index.js';
import {
  isRgbCanvas,
  pilMode,
  transformImage,
  withGifTransparentRgb,
  withPilColorLength,
  type ImageResult,
  type OpaqueMode,
  type ResamplingMethod,
} from '../image/index.js';
import type { MapQuery } from '../source/index.js';
import { MapBBoxError, MapRequestError } from './errors.js';
import { renderWithinExtent } from './limit-to-extent.js';
import type { LayerExtent, MapLayer } from './map-layer.js';
import type { TileResponse } from './types.js';

export interface CacheMapLayerOptions {
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
  readonly #manager: TileManager;
  readonly #maxTiles: number;
  readonly #resampling: ResamplingMethod;
  readonly #direct: CacheMapLayerOptions['direct'];

  constructor(options: CacheMapLayerOptions) {
    const { tileManager } = options;
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
    // WMS-C: no extent limit, a whole tile or a refusal (drawn as any map: the tile's own box)
    if (query.tiledOnly === true) return this.#render(query);
    // MapProxy CacheMapLayer: the SubImageSource takes the cache's image options
    const modeRgb = this.#manager.imageOptions.mode === 'RGB';
    return renderWithinExtent(query, this.extent, (q) => this.#render(q), modeRgb);
  }

  async tiledTile(query: MapQuery): Promise<TileResponse | null | undefined> {
    const direct = this.#direct;
    if (direct !== undefined && this.#resolution(query) <= direct.fromRes) return undefined;
    const affected = this.#affected({ ...query, tiledOnly: true });
    const coord = affected?.tiles[0];
    if (coord === null || coord === undefined) return null;
    // a tile service's read: the bytes, with the mtime for the cache headers
    const tile = await this.#manager.loadTile(coord, {
      withMetadata: true,
      dimensions: query.dimensions,
      bytesOnly: true,
    });
    // a TileResult is a TileResponse (bytes, format, mtime, cacheable, freshness)
    return tile;
  }

  /**
   * The tiles of `query` (MapProxy get_affected_tiles), null when none; under `tiledOnly` refused
   * unless the query is one whole tile in the cache's format and tile size (MapProxy `_check_tiled`
   * and `_image`: the box equal to the tile's within a tenth of a pixel).
   */
  #affected(query: MapQuery): AffectedTiles | null {
    const grid = this.#manager.grid;
    if (query.tiledOnly === true) {
      const format = this.#manager.imageOptions.format;
      // MapProxy compares ImageFormat by extension: image/png; mode=8bit is png
      if (formatExtension(query.format) !== formatExtension(format))
        throw new MapRequestError(`invalid tile format, use ${formatExtension(format)}`);
      const [width, height] = grid.tileSize;
      if (query.size[0] !== width || query.size[1] !== height)
        throw new MapRequestError(`invalid tile size (use ${width}x${height})`);
    }
    const affected = affectedTilesWithin(grid, query, this.#maxTiles);
    if (affected === null || query.tiledOnly !== true) return affected;
    if (affected.gridSize[0] * affected.gridSize[1] > 1) throw new MapBBoxError('not a single tile');
    const { bbox } = query;
    const dx = Math.abs((bbox[2] - bbox[0]) / query.size[0] / 10);
    const dy = Math.abs((bbox[3] - bbox[1]) / query.size[1] / 10);
    // MapProxy bbox_equals: minx and miny within dx, maxx and maxy within dy
    const deltas = [dx, dx, dy, dy];
    if (!bbox.every((v, i) => Math.abs(v - (affected.bbox[i] ?? NaN)) < (deltas[i] ?? 0)))
      throw new MapBBoxError('query does not align to tile boundaries');
    return affected;
  }

  /**
   * `mode` for a lone stored tile in PIL mode `pil` (MapProxy's TileMerger hands one tile on as
   * the cache read it, without image options), else whether `lone` is null or other: an opaque
   * map's (`mode` 'alpha') lone RGBA tile is resampled in RGBA and only then made RGB, so a pixel
   * at its transparent part's edge keeps its colour where an RGB mosaic blends it with the white
   * below (generated differential gen-9-00); a transparent map's (`mode` 'palette') lone paletted
   * tile is resampled in RGB (`img_for_resampling`), so its transparent pixels show their palette
   * colour (gen-7-02: a GIF cache's tile at its coverage's edge); NEAREST keeps mode P.
   */
  #loneOpaque(lone: TileResult | null | undefined, mode: 'alpha' | 'palette', pil: 'RGBA' | 'P'): OpaqueMode {
    const otherwise = mode === 'alpha';
    if (lone === undefined || lone === null || lone.isCreated === true || lone.format === 'image/jpeg')
      return otherwise;
    if (mode === 'palette' && this.#resampling === 'nearest') return otherwise;
    return pilMode(loneTileImage(lone), false) === pil ? mode : otherwise;
  }

  /** The query's resolution in grid units per pixel (MapProxy `ResolutionConditional`). */
  #resolution(query: MapQuery): number {
    const srs = this.#manager.grid.srs;
    const bbox = query.srs.equals(srs) ? query.bbox : query.srs.transformBBox(srs, query.bbox);
    return Math.min((bbox[2] - bbox[0]) / query.size[0], (bbox[3] - bbox[1]) / query.size[1]);
  }

  async #render(query: MapQuery): Promise<ImageResult | null> {
    const grid = this.#manager.grid;
    // 1. the level and tiles (MapProxy get_affected_tiles with req_srs), counted before listed
    const affected = this.#affected(query);
    if (affected === null) return null;
    const coords = affected.tiles.filter((t): t is TileCoord => t !== null);
    // 2. load (creating missing tiles through the TileManager); read with their mtime where the
    //    hot-tile cache (globals.cache.hot_tiles) keeps such tiles: maps of one area share most
    //    tiles, and a kept one costs the next map no cache read (a file cache's lstat the first time)
    const manager = this.#manager;
    const loaded = await manager.loadTiles(coords, {
      dimensions: query.dimensions,
      withMetadata: manager.keepsHotTiles,
    });
    if (loaded.every((t) => t === null)) return null;
    const byKey = new Map(coords.map((c, i) => [`${c.x}/${c.y}`, loaded[i] ?? null]));
    const tiles = affected.tiles.map((c) => (c === null ? null : (byKey.get(`${c.x}/${c.y}`) ?? null)));
    const lone = tiles.length === 1 ? tiles[0] : undefined;
    // MapProxy's TileMerger hands a lone tile on as it is, and a map that needs no transformation
    // is that tile: under TRANSPARENT=true (LayerMerger returns a lone layer then) its stored
    // bytes go out unchanged (as_buffer), not quantised again from their pixels (a transparent
    // PNG cache's tile lost 80 of its 256 colours). A map in another format is encoded from them.
    if (query.transparent && lone !== undefined && lone !== null) {
      const image = loneTileImage(lone);
      const placed = await transformImage(
        image,
        { bbox: affected.bbox, srs: grid.srs },
        { bbox: query.bbox, srs: query.srs, size: query.size },
        { resampling: this.#resampling, lazy: true },
      );
      if (placed === image) return image;
    }
    // 3. stitch, then crop/scale or reproject into the request (MapProxy TiledImage.transform)
    // an opaque cache's mosaic is white where a map reaches past the tiles (outside the grid,
    // within the layer's extent), as MapProxy's
    // (MapProxy's create_image: `mode: RGB` wins over a transparency the cache has from its
    // sources, so such a cache's mosaic is RGB too: white there, and a tile's transparent pixels,
    // pasted without their alpha, show their colour, e.g. a source's transparent_color)
    const rgbCanvas = isRgbCanvas(this.#manager.imageOptions.mode, this.isTransparent);
    const stitched = await stitchTiles(
      tiles,
      affected.gridSize,
      grid.tileSize,
      this.isTransparent && !rgbCanvas,
    );
    // MapProxy TileMerger hands a lone tile on as it is: one read back as JPEG (of a mixed or jpeg
    // cache) is RGB even when the cache is transparent; one just created is still the source's
    // image (RGBA from a transparent source or an `rgba` band merge, even in an opaque cache)
    const isLoneJpeg = lone?.format === 'image/jpeg' && lone.isCreated !== true;
    // a created tile is RGBA also when its source is opaque but answered with alpha: an RGBA PNG,
    // or a sub image of the source's coverage (SubImageSource forces transparent), so its edge
    // pixels blend with the layers below (generated differential gen-11-10, first request)
    const createdWithAlpha = this.#manager.createsTilesWithAlpha || lone?.pilMode === 'RGBA';
    // a lone stored RGBA tile under TRANSPARENT=true: MapProxy's LayerMerger hands the lone layer on
    // as the transform made it, in the tile's mode, so its transparent pixels stay transparent also
    // in an opaque cache (a tile source's PNG with alpha: we drew them black)
    const keepsTileAlpha =
      query.transparent &&
      lone?.isCreated !== true &&
      !isLoneJpeg &&
      this.#loneOpaque(lone, 'alpha', 'RGBA') === 'alpha';
    const isOpaque =
      !keepsTileAlpha && (isLoneJpeg || (lone?.isCreated === true ? !createdWithAlpha : rgbCanvas));
    const opaque = isOpaque
      ? this.#loneOpaque(lone, 'alpha', 'RGBA')
      : this.#loneOpaque(lone, 'palette', 'P');
    // PIL's RGB of a paletted GIF shows its transparent entry's colour where decoders give black
    const source =
      opaque === 'palette' && lone?.format === 'image/gif'
        ? await withGifTransparentRgb(stitched, lone.data)
        : stitched;
    const image = await transformImage(
      source,
      { bbox: affected.bbox, srs: grid.srs },
      { bbox: query.bbox, srs: query.srs, size: query.size },
      // an opaque cache's mosaic is RGB in MapProxy: black where the reprojection has no source;
      // resampled when first needed, so that a map's 8-bit PNG encode runs in the same thread task
      { resampling: this.#resampling, opaque, lazy: true },
    );
    // an RGB mosaic is encoded as RGB (a palette without alpha also under TRANSPARENT=true)
    return isOpaque ? withPilColorLength(image, 3) : image;
  }
}

/**
 * `affectedTiles` for `query`, refused with `MapBBoxError` when the block has `maxTiles` positions
 * or more (MapProxy counts `columns * rows`, inside the grid or not) or the bbox is unusable.
 * Counting first keeps a 1x16000000-pixel request from listing billions of tiles.
 */
export function affectedTilesWithin(
  grid: TileManager['grid'],
  query: MapQuery,
  maxTiles: number,
): AffectedTiles | null {
  let affected: AffectedTiles | null;
  try {
    affected = affectedTiles(grid, query.bbox, query.size, query.srs);
  } catch (error) {
    if (error instanceof GridError) throw new MapBBoxError(error.message, { cause: error });
    // an SrsError (no point of the bbox transforms) is MapProxy's TransformationError, which the
    // WMS answers as "Could not transform BBOX", not as a MapBBOXError
    throw error;
  }
  if (affected !== null && maxTiles > 0 && affected.count >= maxTiles) {
    throw new MapBBoxError(`too many tiles, max_tile_limit: ${maxTiles}, num_tiles: ${affected.count}`);
  }
  return affected;
}
