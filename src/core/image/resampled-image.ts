/**
 * Running the resampling kernel on the image threads, now or when the pixels or an encode are
 * first asked for: a WMS map's 8-bit PNG encode then runs in the very task of its resampling.
 */
import type { Size } from '../util/index.js';
import { palettePngParams, type Encoded } from './codec.js';
import { ImageError } from './errors.js';
import { mimeType } from './formats.js';
import { encodeReleasing, imageFromRaw } from './image-result.js';
import { isOpaqueMosaic, pngMosaicOf, takeMosaicRaw } from './mosaic.js';
import { extentAxes, type ExtentBox } from './resample.js';
import type { PaletteEncode, WorkerJob } from './resample-worker.js';
import { ownBytes } from './transfer-pool.js';
import type {
  ImageFormatOptions,
  ImageResult,
  ResampledOpaque,
  RawImage,
  ResamplingMethod,
} from './types.js';
import { resampleEncodeInWorker, resampleInWorker } from './worker-pool.js';

/** A resampling of an image: Pillow's MESH (`cells`, see resample.ts) or EXTENT onto `dstSize`. */
export interface ResampleSpec {
  readonly dstSize: Size;
  readonly mapping: { readonly cells: Float64Array } | { readonly extent: ExtentBox };
  readonly method: ResamplingMethod;
  /**
   * `true`: source without alpha, result on black, as flatten.ts says (an opaque cache's mosaic
   * reprojected); `'alpha'`: the result's alpha dropped (see transform.ts `ResampledOpaque`).
   */
  readonly opaque: ResampledOpaque;
}

/**
 * `image` resampled as `spec` says on a worker thread (stored PNG tiles of a mosaic are stitched
 * there): at once, or with `lazy` when first needed: `raw()` then runs the kernel, and an encode
 * to an 8-bit PNG before that runs kernel and encode in one thread task. Rejects (or the lazy
 * image does) with `ImageError` (`IMAGE_DECODE`, `IMAGE_INVALID`, `IMAGE_TRANSFORM`).
 */
export async function resampleImage(
  image: ImageResult,
  spec: ResampleSpec,
  { lazy }: { readonly lazy: boolean },
): Promise<ImageResult> {
  const resampled = new ResampledImage(image, spec);
  if (!lazy) await resampled.raw();
  return resampled;
}

/**
 * True when `image` is known to hold no translucent pixel without its pixels: a resampling of an opaque cache's mosaic (flattened), or a scale that stays inside a mosaic of
 * opaque PNG tiles.
 */
export function isKnownOpaque(image: ImageResult): boolean {
  return image instanceof ResampledImage && image.isOpaque;
}

class ResampledImage implements ImageResult {
  readonly size: Size;
  readonly format = null;
  readonly isOpaque: boolean;
  readonly #source: ImageResult;
  readonly #spec: ResampleSpec;
  #pixels: Promise<ImageResult> | null = null;

  constructor(source: ImageResult, spec: ResampleSpec) {
    this.#source = source;
    this.#spec = spec;
    this.size = spec.dstSize;
    this.isOpaque = spec.opaque !== false || coversOpaqueSource(source, spec);
  }

  encode(options: ImageFormatOptions): Promise<Encoded> {
    return this.#encode(options, false);
  }

  /** image-result.ts `encodeReleasing`: this image's last encode (its pixels may move to the encoder). */
  encodeReleasing(options: ImageFormatOptions): Promise<Encoded> {
    return this.#encode(options, true);
  }

  raw(): Promise<RawImage> {
    return this.#image().then((image) => image.raw());
  }

  async #encode(options: ImageFormatOptions, releasing: boolean): Promise<Encoded> {
    const palette = palettePngParams(options);
    if (this.#pixels === null && palette !== null) {
      // 1. not resampled yet and an 8-bit PNG: kernel and encode in one task
      const png = await onThread(this.#source, this.#spec, palette);
      return { data: Buffer.from(png.buffer, png.byteOffset, png.byteLength), format: mimeType('png') };
    }
    // 2. anything else encodes the pixels as any image's
    const image = await this.#image();
    return releasing ? encodeReleasing(image, options) : image.encode(options);
  }

  #image(): Promise<ImageResult> {
    // the kernel's pixels are this image's alone: its last encode may move them
    this.#pixels ??= onThread(this.#source, this.#spec, null).then((out) => {
      const data = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      return imageFromRaw({ data, size: this.size }, { owned: true });
    });
    return this.#pixels;
  }
}

/**
 * Whether every output pixel of a bicubic or bilinear EXTENT scale has its source point inside
 * `source` (the kernels' own validity test on the very source points they use) and `source` is a
 * mosaic of opaque PNG tiles: then every result alpha is exactly 255.
 */
function coversOpaqueSource(source: ImageResult, spec: ResampleSpec): boolean {
  const { mapping, method, dstSize } = spec;
  if (!('extent' in mapping) || method === 'nearest' || !isOpaqueMosaic(source)) return false;
  const [xs, ys] = extentAxes(mapping.extent, dstSize[0], dstSize[1]);
  const inside = (values: Float64Array, size: number): boolean => {
    for (const v of values) if (!(v >= 0 && v < size)) return false;
    return true;
  };
  return inside(xs, source.size[0]) && inside(ys, source.size[1]);
}

/**
 * Runs `spec` over `image` on a worker thread, then the 8-bit PNG encode `encode` there too (the
 * PNG's bytes), or not (null: the RGBA pixels).
 */
async function onThread(
  image: ImageResult,
  spec: ResampleSpec,
  encode: PaletteEncode | null,
): Promise<Uint8Array> {
  const job = {
    srcWidth: image.size[0],
    srcHeight: image.size[1],
    dstWidth: spec.dstSize[0],
    dstHeight: spec.dstSize[1],
    method: spec.method,
    opaque: spec.opaque,
    ...spec.mapping,
  };
  const run = (task: WorkerJob, transfer?: readonly ArrayBuffer[]): Promise<Uint8Array | null> =>
    encode === null
      ? resampleInWorker(task, transfer)
      : resampleEncodeInWorker({ ...task, encode }, transfer);
  // 1. stored PNG tiles are stitched on the worker thread; 2. anything else is decoded here
  const mosaic = pngMosaicOf(image);
  let out = mosaic === null ? null : await run({ ...job, mosaic });
  if (out === null) {
    // a mosaic of tiles created on the miss is stitched for this task alone and its canvas moved
    // to the thread: cloned, each cold map left a 4-5 MB serialised copy here and the thread's
    // copy there (the bench's cold WMS maps, one worker, strace of mmap: 21 of the 34 MB of large
    // buffers live at once). Tried and dropped: the canvas moved back into a pool of 2 for the
    // next map's, which kept ~9 MB for good and lowered no peak (5 alternating triples)
    const taken = takeMosaicRaw(image);
    const raw = await (taken ?? image.raw());
    checkRawSize(raw, image.size);
    const { data } = raw;
    // structured clone copies a view's whole ArrayBuffer: hand over an exact one (moved when it is
    // a copy or pixels of this task's own); the worker may flatten its copy in place
    const src = ownBytes(data);
    const isOwn = taken !== null || src !== data;
    out = await run({ ...job, src }, isOwn ? [src.buffer as ArrayBuffer] : []);
    if (out === null) throw new ImageError('resampling returned no pixels', 'IMAGE_TRANSFORM');
  }
  return out;
}

function checkRawSize(raw: RawImage, size: Size): void {
  if (raw.size[0] !== size[0] || raw.size[1] !== size[1]) {
    throw new ImageError(`decoded ${raw.size.join('x')} pixels, expected ${size.join('x')}`, 'IMAGE_INVALID');
  }
}
