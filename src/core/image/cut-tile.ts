/**
 * Cuts one tile out of RGBA pixels (MapProxy `TileSplitter.get_tile`), filling what lies outside.
 * Pure and free of sharp, so the palette threads split meta tiles with it too.
 */
import type { Size } from '../util/index.js';
import { fillRgba, type Rgba } from './pixels.js';

/**
 * The `tileSize` pixels whose upper-left corner is at `[x, y]` of `image` (may be negative or reach
 * past the edge), written into `out` (a fresh buffer when absent): the part outside the image is
 * `fill`, as MapProxy's `create_image` canvas under the pasted crop.
 */
export function cutTile(
  image: { readonly data: Uint8Array; readonly size: Size },
  tileSize: Size,
  [x, y]: readonly [number, number],
  fill: Rgba,
  out: Uint8Array = new Uint8Array(tileSize[0] * tileSize[1] * 4),
): Uint8Array {
  const [width, height] = tileSize;
  const [imageWidth, imageHeight] = image.size;
  const x0 = Math.max(0, x);
  const x1 = Math.min(imageWidth, x + width);
  const y0 = Math.max(0, y);
  const y1 = Math.min(imageHeight, y + height);
  const inside = x0 === x && y0 === y && x1 === x + width && y1 === y + height;
  if (!inside) fillRgba(out.subarray(0, width * height * 4), fill);
  // copy the intersection of the tile with the image, row by row
  for (let row = y0; row < y1 && x1 > x0; row += 1) {
    const source = (row * imageWidth + x0) * 4;
    out.set(image.data.subarray(source, source + (x1 - x0) * 4), ((row - y) * width + (x0 - x)) * 4);
  }
  return out;
}
