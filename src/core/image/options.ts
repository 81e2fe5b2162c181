/**
 * MapProxy's image option resolution (`config/loader.py` `ImageOptionsConfiguration.image_opts`
 * and `img_to_buf`'s paletted default) from snake_case YAML-shaped objects. Mirrors the config
 * keys structurally; never imports `config/`.
 */
import { ImageError } from './errors.js';
import type { ImageFormatOptions, ResamplingMethod } from './types.js';

/** A cache/source `image:` section or a `globals.image.formats.<name>` entry, as in the YAML. */
export interface ImageOptionsSpec {
  readonly format?: string | null | undefined;
  readonly mode?: string | null | undefined;
  readonly colors?: number | null | undefined;
  readonly transparent?: boolean | null | undefined;
  readonly opacity?: number | null | undefined;
  readonly resampling_method?: string | null | undefined;
  readonly encoding_options?: Readonly<Record<string, unknown>> | null | undefined;
}

/** `globals.image` as in the YAML (MapProxy defaults apply for missing keys). */
export interface GlobalImageSpec {
  /** Default `bicubic`. */
  readonly resampling_method?: string | null | undefined;
  /** Default 90. */
  readonly jpeg_quality?: number | null | undefined;
  /** Default true: PNG output is quantised to 256 colours unless `colors` says otherwise. */
  readonly paletted?: boolean | null | undefined;
  readonly formats?: Readonly<Record<string, ImageOptionsSpec>> | null | undefined;
}

/** What to resolve: the cache's/source's `format` and its `image:` section. */
export interface ImageOptionsRequest {
  /** E.g. `image/png`, `image/jpeg`, `mixed`, `png8`, or a `globals.image.formats` name. */
  readonly format?: string | null | undefined;
  readonly image?: ImageOptionsSpec | null | undefined;
}

const RESAMPLING: readonly string[] = ['nearest', 'bilinear', 'bicubic'];

/**
 * MapProxy's `ImageOptions` as its loader makes them (`image_opts(image_conf, format)`), before
 * any encoder default: what a cache's or source's configuration says, null where it says nothing.
 */
export interface ConfiguredImageOptions {
  /**
   * The `image` section's `format`, else the `globals.image.formats` entry's, else the requested
   * format when it is a mime type; `mixed` for a mixed request. Null: none (a source then asks
   * for the query's format, an encoder writes the requested name or PNG).
   */
  readonly format: string | null;
  /** `colors` of the section or entry, else 256 for a `format` naming png under `paletted`. */
  readonly colors: number | null;
  readonly mode: string | null;
  readonly transparent: boolean | null;
  readonly opacity: number | null;
  /** The section's, the entry's, else `globals.image.resampling_method` (default bicubic). */
  readonly resampling: ResamplingMethod;
  readonly encoding: EncodingOptions;
}

/**
 * MapProxy's `image_opts(image_conf, format)` for `request` under `globals`:
 * 1. start from `globals.formats[format]` (an `image/...` key without `format` names itself);
 * 2. the `image:` section overrides `transparent`, `opacity`, `resampling_method`, `format`,
 *    `colors`, `mode` and `encoding_options`;
 * 3. an `image/...` format names the output when nothing else did; `mixed` always stays mixed;
 * 4. with `paletted` (default true) and no `colors`, a format containing `png` gets 256 colours.
 * Throws `ImageError` (`IMAGE_OPTION`) for an unknown resampling method, quantizer,
 * tiff_compression or encoding option, or a non-integer jpeg_quality, as MapProxy's loader does.
 */
export function configuredImageOptions(
  request: ImageOptionsRequest,
  globals: GlobalImageSpec = {},
): ConfiguredImageOptions {
  const requested = request.format ?? null;
  const image = request.image ?? {};
  // 1. the named format entry
  const entry: ImageOptionsSpec = requested === null ? {} : (globals.formats?.[requested] ?? {});
  // 2. per cache/source overrides
  const pick = <K extends keyof ImageOptionsSpec>(key: K): ImageOptionsSpec[K] => image[key] ?? entry[key];
  // 3. the requested format names the output; mixed stays mixed
  let format = image.format ?? entry.format ?? (requested?.startsWith('image/') === true ? requested : null);
  if (requested === 'mixed') format = 'mixed';
  const encoding = checkEncodingOptions(pick('encoding_options') ?? {});
  // 4. paletted: the loader's 256 for a png format
  let colors = pick('colors') ?? null;
  if (colors === null && (globals.paletted ?? true) && format?.includes('png') === true) colors = 256;
  return {
    format,
    colors,
    mode: pick('mode') ?? null,
    transparent: pick('transparent') ?? null,
    opacity: pick('opacity') ?? null,
    resampling: resampling(
      image.resampling_method ?? entry.resampling_method ?? globals.resampling_method ?? 'bicubic',
    ),
    encoding,
  };
}

/**
 * The encoding options for `request` under `globals`: its `configuredImageOptions` with the
 * encoder's defaults (`img_to_buf`): the output format is the configured one, else the requested
 * name, else PNG, as a mime type (`png` → `image/png`, parameters kept: `image/png; mode=8bit`);
 * a bare name ending in `png` (`png`, not in `formats`) without colours gets 255 under `paletted`,
 * anything else without colours none (0); JPEG quality `globals.jpeg_quality`, else 90. Modes
 * other than RGB/RGBA/P resolve to null. Throws as `configuredImageOptions`.
 */
export function resolveImageOptions(
  request: ImageOptionsRequest,
  globals: GlobalImageSpec = {},
): ImageFormatOptions {
  const configured = configuredImageOptions(request, globals);
  const { encoding } = configured;
  const outputFormat = configured.format ?? request.format ?? 'image/png';
  let colors = configured.colors;
  if (colors === null && (globals.paletted ?? true) && outputFormat.endsWith('png')) colors = 255;
  return {
    format: mime(outputFormat),
    mode: mode(configured.mode),
    colors: colors ?? 0,
    transparent: configured.transparent ?? false,
    resampling: configured.resampling,
    jpegQuality: libjpegQuality(encoding.jpeg_quality ?? globals.jpeg_quality ?? 90),
    quantizer: encoding.quantizer ?? null,
    tiffCompression: encoding.tiff_compression ?? null,
    opacity: configured.opacity,
  };
}

const QUANTIZERS = ['fastoctree', 'mediancut'] as const;
const TIFF_COMPRESSIONS = ['raw', 'tiff_lzw', 'jpeg'] as const;

/** `encoding_options` that passed MapProxy's check; a falsy value is left out. */
export interface EncodingOptions {
  readonly jpeg_quality?: number;
  readonly quantizer?: (typeof QUANTIZERS)[number];
  readonly tiff_compression?: (typeof TIFF_COMPRESSIONS)[number];
}

/**
 * MapProxy `_check_encoding_options`, which tests each value only when it is truthy in Python: an
 * empty or zero value passes (and is not used here), and `jpeg_quality: true` is an integer.
 */
function checkEncodingOptions(options: Readonly<Record<string, unknown>>): EncodingOptions {
  const { jpeg_quality: quality, quantizer, tiff_compression: compression, ...rest } = options;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw optionError(`unknown encoding_options: ${unknown.join(', ')}`);
  const isInteger =
    typeof quality === 'boolean' || (typeof quality === 'number' && Number.isInteger(quality));
  if (isTruthy(quality) && !isInteger) throw optionError('jpeg_quality is not an integer');
  if (isTruthy(quantizer) && !isOneOf(quantizer, QUANTIZERS))
    throw optionError(`unknown quantizer ${JSON.stringify(quantizer)}`);
  if (isTruthy(compression) && !isOneOf(compression, TIFF_COMPRESSIONS))
    throw optionError(`unknown tiff_compression ${JSON.stringify(compression)}`);
  return {
    ...(isInteger ? { jpeg_quality: Number(quality) } : {}),
    ...(isOneOf(quantizer, QUANTIZERS) ? { quantizer } : {}),
    ...(isOneOf(compression, TIFF_COMPRESSIONS) ? { tiff_compression: compression } : {}),
  };
}

function isOneOf<T extends string>(value: unknown, values: readonly T[]): value is T {
  return (values as readonly unknown[]).includes(value);
}

/** Python's truth of a YAML value: not null, false, 0, '', nor an empty list or mapping. */
function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  return typeof value !== 'object' || Object.keys(value).length > 0;
}

/**
 * The quality libjpeg encodes with (`jpeg_set_quality`, through PIL): below 1 is 1, above 100 is
 * 100. MapProxy checks only that `jpeg_quality` is an integer, so a JPEG cache with 200 stores
 * quality-100 tiles; sharp refused it (every tile a 500).
 */
function libjpegQuality(quality: number): number {
  return Math.min(100, Math.max(1, Math.round(quality)));
}

function resampling(value: string): ResamplingMethod {
  if (!RESAMPLING.includes(value)) throw optionError(`unknown resampling_method ${value}`);
  return value as ResamplingMethod;
}

function mode(value: string | null | undefined): ImageFormatOptions['mode'] {
  return value === 'RGB' || value === 'RGBA' || value === 'P' ? value : null;
}

function mime(format: string): string {
  return format === 'mixed' || format.startsWith('image/') ? format : `image/${format}`;
}

function optionError(message: string): ImageError {
  return new ImageError(message, 'IMAGE_OPTION');
}
