/**
 * Cuts tiles out of a decoded meta image (MapProxy `TileSplitter`). The meta image is decoded once
 * and each tile is copied row by row from the raw buffer; parts outside the image get the fill.
 */
import type { Size } from '../util/index.js';
import { encodeRaw, type Encoded } from './codec.js';
import { cutTile, type TileCanvas } from './cut-tile.js';
import { imageFromRaw } from './image-result.js';
import { checkSize, isRgbCanvas, TRANSPARENT_WHITE } from './pixels.js';
import type { ImageFormatOptions, ImageResult, RawImage } from './types.js';

/** The cache's image options that make the canvas of tiles reaching past the meta image. */
export interface SplitOptions {
  /** Default true: transparent (alpha 0), unless `mode` is RGB. */
  readonly transparent?: boolean;
  /** The cache's image mode (`image.mode`); none: RGBA when transparent, else RGB. */
  readonly mode?: 'RGB' | 'RGBA' | 'P' | null;
  /** RGB of the fill, default white (MapProxy `create_image`). */
  readonly bgcolor?: readonly [r: number, g: number, b: number];
}

/**
 * The canvas of tiles reaching past the meta image, as MapProxy's `create_image`: RGBA (alpha 0
 * when transparent) for mode RGBA, or without a mode (or P) when transparent; RGB otherwise, also
 * for a transparent cache of mode RGB (generated differential gen-16-05: MapProxy's tile white
 * and opaque where ours was transparent).
 */
export function splitCanvas(options: SplitOptions): TileCanvas {
  const [r, g, b] = options.bgcolor ?? TRANSPARENT_WHITE;
  const transparent = options.transparent !== false;
  const rgb = isRgbCanvas(options.mode, transparent);
  return { fill: [r, g, b, transparent && !rgb ? 0 : 255], rgb };
}

/**
 * The tiles of `tileSize` pixels whose upper-left corners are at `offsets` (pixels in the meta
 * image, y down). Offsets may be negative or reach past the edge (a meta tile clipped at the grid
 * bounds); the part outside is filled as MapProxy's `create_image` does: `bgcolor` (white) with
 * alpha 0 when `transparent` (the default), opaque otherwise. Rejects with `ImageError`
 * (`IMAGE_DECODE`) when the meta image cannot be decoded, (`IMAGE_INVALID`) for a bad tile size.
 */
export async function splitImage(
  image: ImageResult,
  tileSize: Size,
  offsets: readonly (readonly [x: number, y: number])[],
  options: SplitOptions = {},
): Promise<ImageResult[]> {
  checkSize(tileSize);
  const meta = await image.raw();
  const canvas = splitCanvas(options);
  return offsets.map((offset) => {
    const data = Buffer.allocUnsafe(tileSize[0] * tileSize[1] * 4);
    cutTile(meta, tileSize, offset, canvas, data);
    return imageFromRaw({ data, size: tileSize });
  });
}

/**
 * As {@link splitImage}, but each tile is cut only when its pixels are asked for (decoding `image`
 * then, at most once): tiles whose encoded bytes were made elsewhere (a palette thread) mostly never
 * are. Throws `ImageError` (`IMAGE_INVALID`) for a bad tile size; a tile's `raw()` rejects as
 * `image.raw()` does.
 */
export function splitLazily(
  image: ImageResult,
  tileSize: Size,
  offsets: readonly (readonly [x: number, y: number])[],
  options: SplitOptions = {},
): ImageResult[] {
  checkSize(tileSize);
  const canvas = splitCanvas(options);
  return offsets.map((offset) => new LazyTile(image, tileSize, offset, canvas));
}

/** A tile of a meta image, cut on its first `raw()` (an image of pixels, like `imageFromRaw`'s). */
class LazyTile implements ImageResult {
  readonly size: Size;
  readonly format = null;
  #meta: ImageResult | null;
  readonly #offset: readonly [number, number];
  readonly #canvas: TileCanvas;
  #raw: Promise<RawImage> | null = null;

  constructor(meta: ImageResult, size: Size, offset: readonly [number, number], canvas: TileCanvas) {
    this.#meta = meta;
    this.size = size;
    this.#offset = offset;
    this.#canvas = canvas;
  }

  raw(): Promise<RawImage> {
    if (this.#raw === null) {
      const meta = this.#meta as ImageResult;
      this.#meta = null; // once cut, the tile no longer keeps the meta image alive
      this.#raw = meta.raw().then((pixels) => {
        const data = Buffer.allocUnsafe(this.size[0] * this.size[1] * 4);
        cutTile(pixels, this.size, this.#offset, this.#canvas, data);
        return { data, size: this.size };
      });
    }
    return this.#raw;
  }

  async encode(options: ImageFormatOptions): Promise<Encoded> {
    return encodeRaw(await this.raw(), options);
  }
}
