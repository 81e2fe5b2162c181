/**
 * The source seam: what a cache or layer asks of an upstream (WMS, tile server, debug, blank).
 * Sources know nothing about caches; caches and layers use sources only through this interface.
 */
import type { TileGrid } from '../grid/index.js';
import type { ImageResult } from '../image/index.js';
import type { Srs } from '../srs/index.js';
import type { BBox, Size } from '../util/index.js';

/** One map image request: an area, its pixel size and SRS, and the image format to ask for. */
export interface MapQuery {
  /** Area in `srs` units, x/y order. */
  readonly bbox: BBox;
  readonly size: Size;
  readonly srs: Srs;
  /** Mime type to request upstream, e.g. `image/png`. */
  readonly format: string;
  /** Ask for a transparent background where the source supports it. */
  readonly transparent: boolean;
  /** Dimension values (`time`, `elevation`, `dim_*`) to forward; empty when none. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** True while seeding: `seed_only` sources answer only then. */
  readonly isSeeding: boolean;
  /** WMS-C (`TILED=true`): a cache's layer answers only a whole tile of its grid (MapProxy `tiled_only`). */
  readonly tiledOnly?: boolean | undefined;
}

/** Per-call options; the signal aborts the upstream request (timeouts, shutdown). */
export interface GetMapOptions {
  readonly signal?: AbortSignal;
  /**
   * The caller decodes the answer's pixels itself (a meta tile cut on an image thread), so a
   * source may leave its own full decode out and check only the header: a corrupt answer then
   * rejects that decode (`raw()`, or an encode to its own format) with the `SourceError` the
   * source would have thrown. Sources that transform their answer decode it as always.
   */
  readonly decodeLater?: boolean;
}

export interface MapSource {
  /** The config name of the source, for logs and errors. */
  readonly name: string;
  /** True when its images have transparent parts, so layers under it can show through. */
  readonly isTransparent: boolean;
  /**
   * The grid the source serves natively (tile sources), or null for free-form sources such as
   * WMS. A cache whose grid matches requests whole source tiles and no meta tiles.
   */
  readonly tileGrid: TileGrid | null;
  /**
   * `image.opacity` (0-1) the source's images are merged with, in a cache of several sources
   * and as a direct WMS layer; absent/null = as drawn.
   */
  readonly opacity?: number | null;
  /**
   * MapProxy `is_opaque`: true only when the answer to `query` is sure to have no transparent part,
   * so that layers under it need not be drawn (WMS sources: not transparent, no opacity in
   * (0, 0.99), inside their resolution range and wholly inside their coverage). Absent: never sure.
   */
  isOpaqueFor?(query: Pick<MapQuery, 'bbox' | 'size' | 'srs'>): boolean;
  /**
   * A source clipped to its coverage (`coverage: {clip: true}`): whether the coverage meets
   * `query`'s bbox. There a cache merges even a lone source's answer onto its own canvas, as
   * MapProxy's TileManager (`_query_sources`), so an opaque cache's tile is its background colour
   * outside the coverage. Absent: the source does not clip.
   */
  clipsQuery?(query: Pick<MapQuery, 'bbox' | 'srs'>): boolean;
  /**
   * False for sources that must be asked tile by tile although they render free-form (MapProxy's
   * `supports_meta_tiles`, false for the debug source, whose text belongs on every tile).
   * Absent: true for free-form sources.
   */
  readonly supportsMetaTiles?: boolean;
  /**
   * The format of the image options its whole-tile answers carry (MapProxy's tiled_only
   * CacheSource hands on its cache's image_opts; a tile source's answer has none): a consuming
   * cache of another format re-encodes such an answer from its pixels. Absent: none.
   */
  readonly answerFormat?: string | undefined;
  /**
   * Renders `query`. Resolves null when the source has nothing there (outside its coverage or
   * resolution range, `seed_only` outside seeding). Rejects with `SourceError` when the upstream
   * fails; the error's message is safe to show to clients (no credentials).
   */
  getMap(query: MapQuery, options?: GetMapOptions): Promise<ImageResult | null>;
  /**
   * One source answering this and then `other` with a single upstream request, or null when they
   * cannot be combined for `query` (MapProxy `combined_layer`: WMS sources with the same URL).
   */
  combinedWith?(other: MapSource, query: MapQuery): MapSource | null;
}
