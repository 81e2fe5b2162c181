/** Images: encode/decode, merge, split, reproject. The only importer of sharp. */
export type {
  ResamplingMethod,
  ImageFormatOptions,
  OpaqueMode,
  PilMode,
  RawImage,
  ImageResult,
} from './types.js';
export { ImageError, type ImageErrorCode } from './errors.js';
export { encodeReleasing, imageFromBytes, imageFromRaw, loadImage } from './image-result.js';
export { blankImage } from './blank.js';
export { singleColor } from './single-color.js';
export { splitImage, type SplitOptions } from './split.js';
/** `splitAndEncodePalettePng(...)`: a meta tile's 8-bit PNG tiles made in one palette-thread task. */
export {
  encodesMetaTilesOnThread,
  splitAndEncodePalettePng,
  type SplitEncoded,
  type SplitEncodedTile,
} from './meta-tiles.js';
export {
  asSourceAnswer,
  asSubImage,
  mergeImages,
  passedThroughHasAlpha,
  pilColorLength,
  pilMode,
  withPilColorLength,
  type MergeLayer,
  type MergeOptions,
} from './merge.js';
/** `placeImage(image, size, offset, background)`: MapProxy `SubImageSource`, the image copied into a larger canvas. */
export { placeImage } from './place.js';
export { mergeBands, type BandMode, type BandOp } from './band-merge.js';
export { cropAndScale, type PixelBox } from './crop-scale.js';
export { transformImage, type ImagePlace, type TransformOptions } from './transform.js';
export {
  configuredImageOptions,
  resolveImageOptions,
  type ConfiguredImageOptions,
  type ImageOptionsRequest,
  type ImageOptionsSpec,
  type GlobalImageSpec,
} from './options.js';
export { formatName, maxEncodableSide, sniffFormat, type FormatName } from './formats.js';
export { isRgbCanvas, OPAQUE_WHITE, type Rgba } from './pixels.js';
export { messageImage, type MessageOptions } from './message.js';
export { pilMessageImage } from './pil-font.js';
export {
  drawWatermark,
  watermarkPlacement,
  type WatermarkOptions,
  type WatermarkPlacement,
} from './watermark.js';
export { closeImageWorkers } from './worker-pool.js';
/** `warmEncoder(options)`: starts the threads encodes with `options` will use, without waiting. */
export { warmEncoder } from './codec.js';
/** `closePaletteWorkers()` stops the palette threads; `paletteThreadCount()` counts them (tests, metrics). */
export { closePaletteWorkers, paletteThreadCount } from './palette-pool.js';
/** `warmImageThreads()`: starts the image threads and loads their modules (they exit when idle). */
export { warmPaletteWorkers as warmImageThreads } from './palette-pool.js';
/** `limitImageThreads(n)`: no image thread pool grows past `n` threads from now on (a seed run's sizing). */
export { limitImageThreads } from './thread-pool.js';
export { concatImages } from './concat.js';
/** `attributionImage(text, size)`: MapProxy's WMS attribution box, lower right, to merge over a map. */
export { attributionImage } from './attribution.js';
export { stitchImages } from './mosaic.js';
/**
 * `maskImage(image, pixelPolygons)`: transparent outside the polygons (coverage `clip: true`);
 * `fillPolygon`: Pillow's polygon fill of one ring into a one-byte mask.
 */
export { fillPolygon, type PixelPolygon, type PixelRing } from './fill-polygon.js';
export { maskImage } from './mask.js';
/** `makeTransparent(image, [r, g, b], tolerance)`: a source's `image.transparent_color` keyed out. */
export { makeTransparent } from './transparent-color.js';
/** `withGifTransparentRgb(image, gif)`: a decoded GIF's transparent pixels in its transparent entry's colour (PIL's RGB of it). */
export { withGifTransparentRgb } from './gif-transparent.js';
