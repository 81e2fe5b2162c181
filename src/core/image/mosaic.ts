/**
 * Tiles laid out into one RGBA image (the stitching step of MapProxy's `TiledImage`). Stitched
 * lazily: when the image is only resampled (a WMS GetMap), its stored PNG tiles go to the
 * resampling thread as bytes and are decoded there (stitch-pngs.ts); `raw()` stitches here, stored
 * PNG tiles decoded straight into the canvas (no per-tile buffer, no row copies).
 */
import type { Size } from '../util/index.js';
import { decodeInto, imageFromRaw, undecodedPng } from './image-result.js';
import { isOpaquePng } from './png-decode.js';
import type { PngMosaic } from './stitch-pngs.js';
import type { ImageFormatOptions, ImageResult, RawImage } from './types.js';

/** The stitched image; pixels exist once `raw()` was called. */
class MosaicImage implements ImageResult {
  readonly size: Size;
  readonly format = null;
  readonly #tiles: readonly (ImageResult | null)[];
  readonly #gridSize: Size;
  readonly #tileSize: Size;
  #raw: Promise<RawImage> | null = null;

  constructor(tiles: readonly (ImageResult | null)[], gridSize: Size, tileSize: Size) {
    // tiles of another size stay transparent
    this.#tiles = tiles.map((tile) =>
      tile?.size[0] === tileSize[0] && tile.size[1] === tileSize[1] ? tile : null,
    );
    this.#gridSize = gridSize;
    this.#tileSize = tileSize;
    this.size = [gridSize[0] * tileSize[0], gridSize[1] * tileSize[1]];
  }

  encode(options: ImageFormatOptions): Promise<{ readonly data: Buffer; readonly format: string }> {
    return this.raw().then((raw) => imageFromRaw(raw).encode(options));
  }

  raw(): Promise<RawImage> {
    this.#raw ??= stitchHere(this.#tiles, this.#gridSize, this.#tileSize);
    return this.#raw;
  }

  /**
   * Pixels stitched for the caller alone, which may move them to another thread; null once
   * `raw()` was asked for (others may hold its pixels: the caller uses those).
   */
  takeRaw(): Promise<RawImage> | null {
    return this.#raw === null ? stitchHere(this.#tiles, this.#gridSize, this.#tileSize) : null;
  }

  /** Every tile there, an undecoded PNG without alpha or translucent palette entries. */
  get isOpaque(): boolean {
    return this.#tiles.every((tile) => {
      const png = tile === null ? null : undecodedPng(tile);
      return png !== null && isOpaquePng(png);
    });
  }

  /** The tiles as PNG bytes for a worker to stitch; null once decoded here or when a tile is no PNG. */
  get pngMosaic(): PngMosaic | null {
    if (this.#raw !== null) return null;
    const pngs: (Uint8Array | null)[] = [];
    for (const tile of this.#tiles) {
      const png = tile === null ? null : undecodedPng(tile);
      if (tile !== null && png === null) return null;
      // structured clone copies a view's whole ArrayBuffer: hand over exact ones
      pngs.push(png === null || png.byteLength === png.buffer.byteLength ? png : new Uint8Array(png));
    }
    const [columns, rows] = this.#gridSize;
    const [tileWidth, tileHeight] = this.#tileSize;
    return { tiles: pngs, columns, rows, tileWidth, tileHeight };
  }
}

/**
 * True when `image` is a mosaic whose every tile is there as a stored PNG that can hold no
 * translucent pixel (read from the PNGs' headers: nothing is decoded).
 */
export function isOpaqueMosaic(image: ImageResult): boolean {
  return image instanceof MosaicImage && image.isOpaque;
}

/** {@link MosaicImage.pngMosaic} of `image`, null for any other image. */
export function pngMosaicOf(image: ImageResult): PngMosaic | null {
  return image instanceof MosaicImage ? image.pngMosaic : null;
}

/**
 * {@link MosaicImage.takeRaw} of `image`: pixels stitched for the caller alone, which may move their
 * buffer to a thread; null for any other image or a mosaic already stitched by `raw()`.
 */
export function takeMosaicRaw(image: ImageResult): Promise<RawImage> | null {
  return image instanceof MosaicImage ? image.takeRaw() : null;
}

/**
 * One `gridSize[0] * tileSize[0]` by `gridSize[1] * tileSize[1]` image from `tiles`, row by row
 * (top first); null entries and tiles of another size stay transparent. Decoding is deferred: a
 * tile that cannot be decoded rejects `raw()` (or a transform of the image) with `ImageError`
 * (`IMAGE_DECODE`).
 */
export function stitchImages(
  tiles: readonly (ImageResult | null)[],
  gridSize: Size,
  tileSize: Size,
): Promise<ImageResult> {
  return Promise.resolve(new MosaicImage(tiles, gridSize, tileSize));
}

async function stitchHere(
  tiles: readonly (ImageResult | null)[],
  gridSize: Size,
  tileSize: Size,
): Promise<RawImage> {
  const [tw, th] = tileSize;
  const [cols, rows] = gridSize;
  const width = cols * tw;
  const canvas = Buffer.alloc(width * rows * th * 4);
  const place = (i: number) => ({ left: (i % cols) * tw, top: Math.floor(i / cols) * th });
  // 1. PNG tiles straight into the canvas; 2. the rest (other formats, 16 bit, ...) through sharp at once
  const rest = tiles.map((tile, i) => {
    if (tile === null) return null;
    const { left, top } = place(i);
    return decodeInto(tile, canvas, (top * width + left) * 4, width * 4) ? null : tile;
  });
  const decoded = await Promise.all(rest.map((tile) => (tile === null ? Promise.resolve(null) : tile.raw())));
  decoded.forEach((raw, i) => {
    if (raw === null || raw.size[0] !== tw || raw.size[1] !== th) return;
    const { left, top } = place(i);
    for (let y = 0; y < th; y++)
      raw.data.copy(canvas, ((top + y) * width + left) * 4, y * tw * 4, (y + 1) * tw * 4);
  });
  return { data: canvas, size: [width, rows * th] };
}
