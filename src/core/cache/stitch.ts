/**
 * Stitches stored tiles into one image and cuts a pixel box out of it (MapProxy `TiledImage`):
 * used to rescale tiles between levels and to read a cache as the source of another.
 */
import type { TileGrid } from '../grid/index.js';
import {
  blankImage,
  imageFromBytes,
  OPAQUE_WHITE,
  stitchImages,
  type ImageFormatOptions,
  type ImageResult,
} from '../image/index.js';
import type { BBox, Size } from '../util/index.js';
import { placeImage, storedImage } from './image-ops.js';
import type { TileResult } from './types.js';

/**
 * One RGBA image from `tiles` laid out row by row (top first) in `gridSize` `[columns, rows]`, of a
 * cache that is `transparent` or not; tiles of another size stay transparent. A tile created for
 * this request is drawn from its image before encoding, a cached one from its stored bytes
 * (MapProxy `TileMerger` takes `as_image()`, the image still in memory on a miss).
 */
export function stitchTiles(
  tiles: readonly (TileResult | null)[],
  gridSize: Size,
  tileSize: Size,
  transparent: boolean,
): Promise<ImageResult> {
  // MapProxy's TileMerger pastes the tiles on `create_image` of the cache's image options: for an
  // opaque cache an RGB image in white, so where a tile is missing (outside the grid, or not
  // stored for a rescale) the mosaic is white, not transparent
  const background = transparent ? null : blankImage(tileSize, OPAQUE_WHITE);
  return stitchImages(
    tiles.map((tile) => (tile === null ? background : (tile.image ?? storedImage(tile.data, tile.format)))),
    gridSize,
    tileSize,
  );
}

/**
 * A map's lone tile as MapProxy's TileMerger hands it on: its stored bytes, which a map needing
 * no change passes out unchanged (ImageSource.as_buffer in their own format), with the pixels of
 * the image it was encoded from when it was just created (as_image: not the quantised bytes').
 */
export function loneTileImage(tile: TileResult): ImageResult {
  return imageFromBytes(tile.data, tile.format, { pixels: tile.image ?? null });
}

/**
 * The part `bbox` of the stitched `tiles` (which together cover `tilesBBox`) at `size`, both
 * bboxes in the grid SRS (MapProxy `TiledImage.transform`).
 */
export async function tilesToImage(
  grid: TileGrid,
  tiles: readonly (TileResult | null)[],
  gridSize: Size,
  tilesBBox: BBox,
  bbox: BBox,
  size: Size,
  options: ImageFormatOptions,
): Promise<ImageResult> {
  const stitched = await stitchTiles(tiles, gridSize, grid.tileSize, options.transparent);
  return placeImage(stitched, tilesBBox, grid.srs, bbox, size, options);
}
