/**
 * The image seam every other module codes against: encoded-or-raw images and the encoding
 * options resolved from MapProxy's `image` settings. Implementations live beside this file.
 */
import type { Size } from '../util/index.js';

/** Pixel resampling for scaling and reprojection (MapProxy `resampling_method`, default bicubic). */
export type ResamplingMethod = 'nearest' | 'bilinear' | 'bicubic';

/**
 * How to encode an image: MapProxy's `globals.image`, `globals.image.formats.<name>` and the
 * cache/source `image` options, after defaults. Built once per cache/service, not per request.
 */
export interface ImageFormatOptions {
  /**
   * Output mime type: `image/png`, `image/jpeg`, `image/webp`, `image/gif`, `image/tiff`, or
   * `mixed` (PNG where any pixel is transparent, else JPEG; MapProxy's `format: mixed`).
   */
  readonly format: string;
  /** `RGB`, `RGBA`, `P` (paletted) as in MapProxy; null = decide from `transparent`/`colors`. */
  readonly mode: 'RGB' | 'RGBA' | 'P' | null;
  /** PNG palette size; 0 = true colour. MapProxy's default (`paletted: true`) is 256. */
  readonly colors: number;
  /** Whether the encoded result keeps an alpha channel (or a transparent palette entry). */
  readonly transparent: boolean;
  readonly resampling: ResamplingMethod;
  /** 0-100, MapProxy default 90. */
  readonly jpegQuality: number;
  /** MapProxy `encoding_options.quantizer`; null = the encoder's default (like fastoctree). */
  readonly quantizer: 'fastoctree' | 'mediancut' | null;
  /** MapProxy `encoding_options.tiff_compression`; absent/null = `raw` (uncompressed). */
  readonly tiffCompression?: 'raw' | 'tiff_lzw' | 'jpeg' | null;
  /** Layer opacity 0-1 when merged (MapProxy `image.opacity`); absent/null = opaque as drawn. */
  readonly opacity?: number | null;
}

/**
 * The mode a source's answer has in MapProxy's PIL image (`RGB`: no alpha band, `P`: paletted),
 * which its encoding of the tiles cut from it follows (see `pilMode`).
 */
export type PilMode = 'RGB' | 'RGBA' | 'P';

/** 8-bit RGBA pixels, row-major, top row first: `data.length === width * height * 4`. */
export interface RawImage {
  readonly data: Buffer;
  readonly size: Size;
}

/**
 * An image that is either encoded bytes (as fetched or as stored in a cache) or raw pixels, and
 * converts lazily: a cached tile that is served in its own format is never decoded.
 */
export interface ImageResult {
  /** `[width, height]` in pixels. */
  readonly size: Size;
  /** Mime type of the encoded bytes this image holds, or null when it exists only as pixels. */
  readonly format: string | null;
  /**
   * The image encoded with `options`. When it already holds bytes of that format they are returned
   * unchanged (no decode, no re-encode); `mixed` picks PNG or JPEG from the pixels.
   * Resolves with the bytes and the mime type they are in (`mixed` resolves to png or jpeg).
   */
  encode(options: ImageFormatOptions): Promise<{ readonly data: Buffer; readonly format: string }>;
  /** RGBA pixels; decodes at most once and keeps the result. */
  raw(): Promise<RawImage>;
}

/**
 * How a resampling makes its result opaque (resampled-image.ts): not (`false`), as an opaque
 * cache's RGB mosaic (`true`: the source's alpha dropped, black where there is no source), or
 * resampled with its alpha, which is then dropped (`'alpha'`).
 */
export type ResampledOpaque = boolean | 'alpha';

/**
 * How a transform makes its result opaque (transform.ts `TransformOptions.opaque`): as
 * {@link ResampledOpaque}, or `'palette'`: a paletted image is resampled in RGB (its palette's
 * mode, PIL `img_for_resampling`) and only then opaque; not resampled, it stays as it is.
 */
export type OpaqueMode = ResampledOpaque | 'palette';
