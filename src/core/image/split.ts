/**
 * Cuts tiles out of a decoded meta image (MapProxy `TileSplitter`). The meta image is decoded once
 * and each tile is copied row by row from the raw buffer; parts outside the image get the fill.
 */
import type { Size } from '../util/index.js';
import { imageFromRaw } from './image-result.js';
import { checkSize, filledBuffer, TRANSPARENT_WHITE, type Rgba } from './pixels.js';
import type { ImageResult } from './types.js';

/** What fills tile areas outside the meta image. */
export interface SplitOptions {
  /** Default true: transparent (alpha 0). */
  readonly transparent?: boolean;
  /** RGB of the fill, default white (MapProxy `create_image`). */
  readonly bgcolor?: readonly [r: number, g: number, b: number];
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
  const [r, g, b] = options.bgcolor ?? TRANSPARENT_WHITE;
  const fill: Rgba = [r, g, b, options.transparent === false ? 255 : 0];
  return offsets.map(([x, y]) => {
    const [width, height] = tileSize;
    const [metaWidth, metaHeight] = meta.size;
    const inside = x >= 0 && y >= 0 && x + width <= metaWidth && y + height <= metaHeight;
    const data = inside ? Buffer.allocUnsafe(width * height * 4) : filledBuffer(tileSize, fill);
    // copy the intersection of the tile with the meta image, row by row
    const x0 = Math.max(0, x);
    const x1 = Math.min(metaWidth, x + width);
    const y0 = Math.max(0, y);
    const y1 = Math.min(metaHeight, y + height);
    for (let row = y0; row < y1 && x1 > x0; row += 1) {
      const source = (row * metaWidth + x0) * 4;
      meta.data.copy(data, ((row - y) * width + (x0 - x)) * 4, source, source + (x1 - x0) * 4);
    }
    return imageFromRaw({ data, size: tileSize });
  });
}
