/**
 * The image operations tile creation needs, adapted from `image/` in one place: split a meta tile,
 * merge source layers, detect single-colour tiles, place stitched tiles for rescaled tiles.
 */
import {
  encodesMetaTilesOnThread,
  imageFromBytes,
  imageFromRaw,
  mergeImages,
  singleColor,
  splitAndEncodePalettePng,
  splitImage,
  transformImage,
  type ImageFormatOptions,
  type ImageResult,
  type RawImage,
  type SplitEncoded,
} from '../image/index.js';
import type { Srs } from '../srs/index.js';
import type { BBox, Size } from '../util/index.js';

/** One merge input, bottom first. */
export interface MergeLayer {
  readonly image: ImageResult;
  readonly opacity?: number | undefined;
  /** Clipped to its source's coverage: drawn on the canvas even alone (see image's MergeLayer). */
  readonly clipped?: boolean | undefined;
}

/**
 * Cuts `image` into tiles of `tileSize` whose upper-left corners sit at `offsets` (pixels, y down).
 * A tile reaching past the meta image is pasted on the cache's canvas, as MapProxy's TileSplitter:
 * transparent for transparent caches, white otherwise and for caches of mode RGB (see splitCanvas).
 */
export function splitTiles(
  image: ImageResult,
  tileSize: Size,
  offsets: readonly (readonly [number, number])[],
  options: ImageFormatOptions,
): Promise<ImageResult[]> {
  return splitImage(image, tileSize, offsets, { transparent: options.transparent, mode: options.mode });
}

/**
 * As {@link splitTiles} (the cache's `options`), with each tile encoded with `encodeOptions` (the
 * cache format, see tileEncodeOptions), when that is an 8-bit PNG: one task on a palette thread
 * decodes, cuts and encodes (null for other formats: split, then encode). `keepPixels`: the tiles'
 * pixels are likely asked for (maps drawn on a miss). `lendBytes`: the tiles' PNGs are views of a
 * pooled buffer until the result's `release` (see SplitEncoded).
 */
export function splitAndEncodeTiles(
  image: ImageResult,
  tileSize: Size,
  offsets: readonly (readonly [number, number])[],
  options: ImageFormatOptions,
  encodeOptions: ImageFormatOptions,
  { keepPixels, lendBytes = false }: { readonly keepPixels: boolean; readonly lendBytes?: boolean },
): Promise<SplitEncoded | null> {
  return splitAndEncodePalettePng(
    image,
    tileSize,
    offsets,
    { transparent: options.transparent, mode: options.mode },
    encodeOptions,
    { keepPixels, lendBytes },
  );
}

/** Whether {@link splitAndEncodeTiles} takes tiles of `options` (else it answers null). */
export function splitsOnThread(options: ImageFormatOptions): boolean {
  return encodesMetaTilesOnThread(options);
}

/** Merges layers bottom → top onto a `size` canvas (transparent or opaque white as the cache wants). */
export function mergeLayers(
  layers: readonly MergeLayer[],
  size: Size,
  options: ImageFormatOptions,
): Promise<ImageResult> {
  return Promise.resolve(mergeImages(layers, size, { transparent: options.transparent }));
}

/**
 * The colour of a tile that has exactly one colour, as `link_single_color_images` names it (null
 * for multi-coloured tiles): as many values as the image it was cut from has in PIL (`length`, see
 * `pilColorLength`: a source's JPEG gives `[r, g, b]` even in a transparent cache, an RGBA PNG
 * `[r, g, b, a]` even in an opaque one), else `[r, g, b, a]` for transparent caches and
 * `[r, g, b]` otherwise (a merge's or transformation's pixels, in the cache's mode).
 */
export async function tileSingleColor(
  image: ImageResult,
  options: ImageFormatOptions,
  length: 3 | 4 | null = null,
): Promise<number[] | null> {
  const values = length ?? (options.transparent ? 4 : 3);
  // three values: MapProxy's image is RGB, so alpha does not count (a tile cut past an opaque
  // cache's meta image is drawn on its RGB canvas: the sub image's transparent white is white
  // there, and MapProxy links the tile; seeding differential --more, seed 16)
  const color = await singleColor(image, values === 3);
  if (color === null) return null;
  const [r, g, b, a] = color;
  return values === 4 ? [r, g, b, a] : [r, g, b];
}

/** Stored tile bytes as an image (decoded lazily). */
export function storedImage(data: Buffer, format: string): ImageResult {
  return imageFromBytes(data, format);
}

/**
 * The `bbox` part of `image` (which covers `imageBBox`; both in `srs`) at `size`, as MapProxy's
 * ImageTransformer places a TiledImage: the image itself, an exact crop where the resolutions
 * match, else a scale of the fractional pixel box; in RGB when the cache is opaque.
 */
export function placeImage(
  image: ImageResult,
  imageBBox: BBox,
  srs: Srs,
  bbox: BBox,
  size: Size,
  options: ImageFormatOptions,
): Promise<ImageResult> {
  return transformImage(
    image,
    { bbox: imageBBox, srs },
    { bbox, srs, size },
    // an opaque cache's mosaic is RGB in MapProxy: a translucent tile's alpha is dropped
    { resampling: options.resampling, opaque: !options.transparent },
  );
}

/** RGBA pixels as an image. */
export function rawImage(raw: RawImage): ImageResult {
  return imageFromRaw(raw);
}
