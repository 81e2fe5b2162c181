/**
 * Decoding, encoding and SVG rendering with sharp (loaded on first use, sharp-module.ts). Every
 * call is asynchronous (libvips in libuv's threadpool; 8-bit PNG on palette worker threads), so no
 * encode blocks the event loop.
 */
import type { TiffOptions } from 'sharp';
import type { Size } from '../util/index.js';
import { ImageError } from './errors.js';
import { formatName, mimeType, type FormatName } from './formats.js';
import { encodePalettePngAsync, warmPaletteWorkers } from './palette-pool.js';
import { hasTransparency } from './pixels.js';
import { decodePngRgba } from './png-decode.js';
import { loadSharp } from './sharp-module.js';
import type { ImageFormatOptions, RawImage } from './types.js';

/** Encoded bytes and the mime type they are in. */
export interface Encoded {
  readonly data: Buffer;
  readonly format: string;
}

/**
 * PNGs up to this many pixels (tiles) are decoded by `decodePngRgba` on the calling thread: for a
 * tile that takes less main-thread time than sharp's own per-call overhead (~0.25 ms), and a tenth
 * of the CPU (a WMS GetMap decodes 16-30 tiles; through sharp that was ~1 ms of CPU each).
 */
const INLINE_PNG_MAX_PIXELS = 256 * 256;

/** Decodes any format sharp reads to 8-bit RGBA. Rejects with `ImageError` (`IMAGE_DECODE`). */
export async function decodeToRaw(data: Buffer): Promise<RawImage> {
  try {
    const inline = pngPixels(data) <= INLINE_PNG_MAX_PIXELS ? decodePngRgba(data) : null;
    if (inline !== null) {
      const { pixels, width, height } = inline;
      return {
        data: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength),
        size: [width, height],
      };
    }
    const sharp = await loadSharp();
    const { data: pixels, info } = await sharp(data)
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 4) throw new Error(`decoded to ${info.channels} channels`);
    return { data: pixels, size: [info.width, info.height] };
  } catch (error) {
    throw new ImageError(`cannot decode image: ${(error as Error).message}`, 'IMAGE_DECODE', {
      cause: error,
    });
  }
}

/** Width times height from a PNG's IHDR; Infinity for anything else. */
function pngPixels(data: Buffer): number {
  if (data.length < 24 || data.readUInt32BE(12) !== 0x49484452) return Infinity;
  return data.readUInt32BE(16) * data.readUInt32BE(20);
}

/**
 * Encodes RGBA pixels as `options` ask, the way MapProxy's `img_to_buf` does: `mixed` picks png for
 * any alpha < 255, else jpeg; png with `colors` > 0 is paletted (alpha kept when `transparent`),
 * unquantised it keeps alpha also where a pixel is translucent; jpeg drops alpha without
 * compositing (PIL `convert('RGB')`). `movePixels`: `raw.data`'s buffer
 * may be moved to an encoder thread (the caller gives it up). Rejects with `ImageError`
 * (`IMAGE_FORMAT` for an unknown format, `IMAGE_ENCODE` when the encoder fails).
 */
export async function encodeRaw(
  raw: RawImage,
  options: ImageFormatOptions,
  { movePixels = false }: { readonly movePixels?: boolean } = {},
): Promise<Encoded> {
  const requested = formatName(options.format);
  if (requested === null) {
    throw new ImageError(`cannot encode to unknown format ${options.format}`, 'IMAGE_FORMAT');
  }
  let name: FormatName;
  // the palette size is `colors` alone (0: none); mode P asks none, as in MapProxy (img_to_buf
  // quantises when `colors` is set; create_image draws mode P as RGB or RGBA): we took it for
  // 256, so `{mode: P, colors: 0}` tiles were paletted where MapProxy's are true-colour (seeding
  // differential, seed 12)
  let colors = options.colors;
  // as runEncoder: png with colors > 0 and gif with colors set are quantised (mixed: when png)
  const quantised =
    requested === 'gif' ? options.colors > 0 : (requested === 'png' || requested === 'mixed') && colors > 0;
  let keepAlpha = keepsAlpha(options, quantised);
  if (requested === 'mixed') {
    // MapProxy: png when any pixel is transparent; jpeg (no palette, no alpha) otherwise
    if (hasTransparency(raw)) {
      name = 'png';
      // an unquantised image is saved as it is (RGBA); quantising keeps alpha only if transparent
      keepAlpha ||= colors <= 0;
    } else {
      name = 'jpeg';
      colors = 0;
    }
  } else {
    name = requested;
    // MapProxy saves an unquantised png in the image's own mode: translucent pixels keep their
    // alpha even in an opaque cache (an `rgba` band merge, a transparent source)
    if (name === 'png' && colors <= 0 && !keepAlpha) keepAlpha = hasTransparency(raw);
  }
  try {
    return {
      data: await runEncoder(raw, name, keepAlpha, colors, options, movePixels),
      format: mimeType(name),
    };
  } catch (error) {
    throw new ImageError(`cannot encode ${mimeType(name)}: ${(error as Error).message}`, 'IMAGE_ENCODE', {
      cause: error,
    });
  }
}

/** What an 8-bit PNG encode of `options` quantises to; null unless `options` ask for exactly that. */
export function palettePngParams(options: ImageFormatOptions): {
  readonly colors: number;
  readonly withAlpha: boolean;
  readonly quantizer: 'fastoctree' | 'mediancut';
} | null {
  const { colors } = options;
  if (formatName(options.format) !== 'png' || colors <= 0) return null;
  return { colors, withAlpha: keepsAlpha(options, true), quantizer: options.quantizer ?? 'fastoctree' };
}

/**
 * Whether an encode of `options` keeps alpha (`mixed` also keeps it for an unquantised png).
 * `quantised` (a palette of `colors`): only when `transparent`, as MapProxy's img_to_buf
 * quantises with alpha only then, and only an image with an alpha band (not mode RGB: the canvas
 * create_image makes; a tile cut from a source's RGBA answer has it, see the cache's
 * tileEncodeOptions). `mode: RGBA` alone quantises without alpha (seeding differential seed 10:
 * an RGBA palette with tRNS where MapProxy wrote an opaque one). Unquantised, the image's own
 * mode: RGBA, or transparent unless mode RGB.
 */
function keepsAlpha(options: ImageFormatOptions, quantised: boolean): boolean {
  if (quantised) return options.transparent && options.mode !== 'RGB';
  return options.mode === 'RGBA' || (options.mode !== 'RGB' && options.transparent);
}

/**
 * Starts the worker threads that encodes with `options` will run on (8-bit PNG and GIF: the
 * palette threads) and returns at once; for callers that know encodes are coming, so that a
 * thread's start-up overlaps their wait (tile creation: the upstream request). Never throws.
 */
export function warmEncoder(options: ImageFormatOptions): void {
  const name = formatName(options.format);
  const { colors } = options;
  // as encodeRaw: png (also mixed's png) with colors > 0 and every gif go to the palette threads
  if (name === 'gif' || ((name === 'png' || name === 'mixed') && colors > 0)) void warmPaletteWorkers();
}

function runEncoder(
  raw: RawImage,
  name: FormatName,
  keepAlpha: boolean,
  colors: number,
  options: ImageFormatOptions,
  movePixels: boolean,
): Promise<Buffer> {
  const [width, height] = raw.size;
  const quantizer = options.quantizer ?? 'fastoctree';
  if (name === 'png' && colors > 0) {
    // MapProxy quantises with PIL (fastoctree by default, no dithering; mediancut on request): the
    // same quantisers on worker threads, so the same pixels
    return encodePalettePngAsync(
      { data: raw.data, width, height, colors, withAlpha: keepAlpha, quantizer },
      { movePixels },
    );
  }
  if (name === 'gif') {
    // MapProxy quantises when `colors` is set (as for png); else PIL's GIF writer converts with
    // Image.ADAPTIVE: median cut for RGB, fastoctree for RGBA, also when no pixel is transparent
    // (keepAlpha is PIL's mode: a lone layer's own, see passedThroughHasAlpha; a merged map's is
    // RGBA under TRANSPARENT=true); the RGB path kept 6 near greens that fastoctree makes one
    const gifColors = Math.max(0, options.colors);
    return encodePalettePngAsync(
      {
        data: raw.data,
        width,
        height,
        colors: gifColors,
        withAlpha: keepAlpha,
        quantizer,
        format: 'gif',
      },
      { movePixels },
    );
  }
  return encodeWithSharp(raw, name, keepAlpha, options);
}

/** png (24/32-bit), jpeg, webp and tiff through sharp. */
async function encodeWithSharp(
  raw: RawImage,
  name: Exclude<FormatName, 'gif'>,
  keepAlpha: boolean,
  options: ImageFormatOptions,
): Promise<Buffer> {
  const [width, height] = raw.size;
  const sharp = await loadSharp();
  let image = sharp(raw.data, { raw: { width, height, channels: 4 } });
  // PIL convert('RGB') drops alpha without compositing; so does removeAlpha
  if (!keepAlpha || name === 'jpeg') image = image.removeAlpha();
  switch (name) {
    case 'png':
      // PIL (MapProxy) picks a filter per row for truecolour PNGs; sharp's default is none, which
      // made a 256x256 RGBA tile of MapServer's world 45.9 kB where PIL's is 5.0 kB (same pixels;
      // ~1.5 ms more CPU a tile, as PIL spends it too)
      return image.png({ adaptiveFiltering: true }).toBuffer();
    case 'jpeg':
      // PIL (MapProxy) writes libjpeg's standard Huffman tables and a JFIF header; the same
      // libjpeg-turbo quantisation and 4:2:0 otherwise, so these are MapProxy's bytes. sharp's
      // default optimised tables made a flat tile 678 bytes where MapProxy's is 1679 (seeding
      // differential, seed 8: 160 tiles pixel-equal, not byte-identical)
      return withJfifHeader(
        await image.jpeg({ quality: options.jpegQuality, optimiseCoding: false }).toBuffer(),
      );
    case 'webp':
      return image.webp().toBuffer();
    case 'tiff':
      return image.tiff(tiffOptions(options)).toBuffer();
  }
}

/** PIL's JFIF APP0 segment: version 1.01, no density unit, density 1:1, no thumbnail. */
const JFIF_APP0 = Buffer.from('ffe000104a46494600010100000100010000', 'hex');

/** `jpeg` with PIL's JFIF segment after its SOI marker (libvips writes none when it strips metadata). */
function withJfifHeader(jpeg: Buffer): Buffer {
  if (jpeg[2] === 0xff && jpeg[3] === 0xe0) return jpeg;
  return Buffer.concat([jpeg.subarray(0, 2), JFIF_APP0, jpeg.subarray(2)]);
}

function tiffOptions(options: ImageFormatOptions): TiffOptions {
  // MapProxy writes uncompressed TIFF unless encoding_options.tiff_compression says otherwise
  switch (options.tiffCompression) {
    case 'tiff_lzw':
      return { compression: 'lzw' };
    case 'jpeg':
      return { compression: 'jpeg', quality: options.jpegQuality };
    case 'raw':
    case undefined:
    case null:
      return { compression: 'none' };
  }
}

/** Rasterises an SVG document to `size` RGBA pixels (librsvg through sharp, 72 dpi: 1 unit = 1 px). */
export async function renderSvg(svg: string, size: Size): Promise<RawImage> {
  try {
    const sharp = await loadSharp();
    const { data, info } = await sharp(Buffer.from(svg))
      .resize(size[0], size[1], { fit: 'fill' })
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { data, size: [info.width, info.height] };
  } catch (error) {
    throw new ImageError(`cannot render text: ${(error as Error).message}`, 'IMAGE_ENCODE', { cause: error });
  }
}
