/**
 * Cuts one tile out of RGBA pixels (MapProxy `TileSplitter.get_tile`), filling what lies outside.
 * Pure and free of sharp, so the palette threads split meta tiles with it too.
 */
import type { Size } from '../util/index.js';
import { dropAlpha } from './flatten.js';
import { fillRgba, type Rgba } from './pixels.js';

/** MapProxy's `create_image` canvas under a tile that reaches past the meta image. */
export interface TileCanvas {
  /** The colour of the tile's part outside the image. */
  readonly fill: Rgba;
  /**
   * An RGB canvas (a cache of mode RGB, or an opaque one without a mode): PIL's paste of the
   * RGBA crop onto it keeps the colour values and drops the alpha, so a transparent pixel of the
   * source's answer shows its colour, e.g. black for (0, 0, 0, 0).
   */
  readonly rgb: boolean;
}

/**
 * The `tileSize` pixels whose upper-left corner is at `[x, y]` of `image` (may be negative or reach
 * past the edge), written into `out` (a fresh buffer when absent): a tile inside the image is its
 * crop; one reaching past the edge is the crop pasted on `canvas`, as MapProxy's TileSplitter.
 */
export function cutTile(
  image: { readonly data: Uint8Array; readonly size: Size },
  tileSize: Size,
  [x, y]: readonly [number, number],
  canvas: TileCanvas,
  out: Uint8Array = new Uint8Array(tileSize[0] * tileSize[1] * 4),
): Uint8Array {
  const [width, height] = tileSize;
  const [imageWidth, imageHeight] = image.size;
  const x0 = Math.max(0, x);
  const x1 = Math.min(imageWidth, x + width);
  const y0 = Math.max(0, y);
  const y1 = Math.min(imageHeight, y + height);
  const inside = x0 === x && y0 === y && x1 === x + width && y1 === y + height;
  const pixels = out.subarray(0, width * height * 4);
  if (!inside) fillRgba(pixels, canvas.fill);
  // copy the intersection of the tile with the image, row by row
  for (let row = y0; row < y1 && x1 > x0; row += 1) {
    const source = (row * imageWidth + x0) * 4;
    out.set(image.data.subarray(source, source + (x1 - x0) * 4), ((row - y) * width + (x0 - x)) * 4);
  }
  if (!inside && canvas.rgb) dropAlpha(pixels);
  return out;
}
