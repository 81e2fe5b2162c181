/**
 * Stitches stored tiles into one image and cuts a pixel box out of it (MapProxy `TiledImage`):
 * used to rescale tiles between levels and to read a cache as the source of another.
 */
import type { TileGrid } from '../grid/index.js';
import type { ImageFormatOptions, ImageResult } from '../image/index.js';
import type { BBox, Size } from '../util/index.js';
import { cropScale, rawImage, storedImage } from './image-ops.js';
import type { TileResult } from './types.js';

/**
 * One RGBA image from `tiles` laid out row by row (top first) in `gridSize` `[columns, rows]`;
 * null entries and tiles of another size stay transparent.
 */
export async function stitchTiles(
  tiles: readonly (TileResult | null)[],
  gridSize: Size,
  tileSize: Size,
): Promise<ImageResult> {
  const [tw, th] = tileSize;
  const [cols, rows] = gridSize;
  const width = cols * tw;
  const canvas = Buffer.alloc(width * rows * th * 4);
  // decoded all at once: each decode is a libvips call on libuv's threadpool
  const decoded = await Promise.all(
    tiles.map((tile) => (tile === null ? Promise.resolve(null) : storedImage(tile.data, tile.format).raw())),
  );
  for (let i = 0; i < decoded.length; i++) {
    const raw = decoded[i] ?? null;
    if (raw === null || raw.size[0] !== tw || raw.size[1] !== th) continue;
    const left = (i % cols) * tw;
    const top = Math.floor(i / cols) * th;
    for (let y = 0; y < th; y++) {
      raw.data.copy(canvas, ((top + y) * width + left) * 4, y * tw * 4, (y + 1) * tw * 4);
    }
  }
  return rawImage({ data: canvas, size: [width, rows * th] });
}

/**
 * The part `bbox` of the stitched `tiles` (which together cover `tilesBBox` at `resolution`),
 * scaled to `size`. Both bboxes are in the grid SRS.
 */
export async function tilesToImage(
  grid: TileGrid,
  tiles: readonly (TileResult | null)[],
  gridSize: Size,
  tilesBBox: BBox,
  resolution: number,
  bbox: BBox,
  size: Size,
  options: ImageFormatOptions,
): Promise<ImageResult> {
  const stitched = await stitchTiles(tiles, gridSize, grid.tileSize);
  const box = [
    (bbox[0] - tilesBBox[0]) / resolution,
    (tilesBBox[3] - bbox[3]) / resolution,
    (bbox[2] - tilesBBox[0]) / resolution,
    (tilesBBox[3] - bbox[1]) / resolution,
  ] as const;
  return cropScale(stitched, box, size, options);
}
