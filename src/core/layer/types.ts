/**
 * The tile-layer seam the tile services (TMS, WMTS, KML) serve from: one layer in one grid,
 * backed by a cache. WMS map layers (issue #4) get their own interface beside this one.
 */
import type { TileCoord, TileGrid } from '../grid/index.js';
import type { FeatureInfoSource } from '../source/index.js';
import type { BBox, Freshness } from '../util/index.js';
import type { LayerDimension } from './dimensions.js';

/** A tile ready to send: bytes as stored (never re-encoded on a cache hit) plus what HTTP needs. */
export interface TileResponse {
  readonly data: Buffer;
  /** Mime type of `data` (for `mixed` caches, png or jpeg per tile). */
  readonly format: string;
  /**
   * Last modification (ms since epoch) of the stored tile; null when it was not stored or its
   * cache keeps no timestamps (mbtiles, geopackage, compact: MapProxy sends no Last-Modified).
   */
  readonly timestampMs: number | null;
  /** Answered with the clock's time as Last-Modified (the empty tile outside the coverage). */
  readonly isStampedNow?: true;
  /** False for results that must not be cached by clients (e.g. uncached `on_error` tiles). */
  readonly cacheable: boolean;
  /** The hot-tile entry the tile came from, if any (`TileResult.freshness`). */
  readonly freshness?: Freshness | undefined;
}

export interface TileLayer {
  /** Layer name as it appears in URLs and capabilities. */
  readonly name: string;
  readonly title: string;
  /** Config name of the grid: the WMTS TileMatrixSet and the TMS/KML `use_grid_names` segment. */
  readonly gridName: string;
  readonly grid: TileGrid;
  /** Mime type advertised in capabilities (`image/png` also for `mixed` caches). */
  readonly format: string;
  /**
   * The cache's format as configured (MapProxy's tile layer `md['format']`, the cache's
   * `image_opts().format`): `mixed` for a mixed cache, which WMS-C TileSets name; absent: `format`.
   */
  readonly configuredFormat?: string | undefined;
  /** File extension clients use in tile URLs: `png`, `jpeg`, `webp`... */
  readonly extension: string;
  /** Where the layer has data, in the grid SRS (coverage or grid bbox), for capabilities. */
  readonly extent: BBox;
  /**
   * The coverage in EPSG:4326 as MapProxy's `MapExtent.llbbox` gives it (from the coverage itself,
   * not through the grid's SRS); absent when the extent is the grid's.
   */
  readonly llbbox?: BBox | undefined;
  /** Metadata from the layer's `md` config (abstract, keywords...), for capabilities. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The layer's `dimensions` (expanded values), in config order; empty without any. */
  readonly dimensions?: readonly LayerDimension[] | undefined;
  /** The feature-info sources of the cache's sources (WMTS GetFeatureInfo); none: not queryable. */
  readonly infoSources?: readonly FeatureInfoSource[] | undefined;
  /**
   * The tile at `coord` (in the grid's own origin), from the cache or created from the sources.
   * Resolves null when the coord lies outside the grid; rejects with a source/cache error when
   * the tile cannot be created. Services turn both into their own responses.
   */
  getTile(
    coord: TileCoord,
    options?: { dimensions?: Readonly<Record<string, string>> },
  ): Promise<TileResponse | null>;
}
