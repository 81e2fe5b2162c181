/**
 * Crops a (possibly fractional) pixel box out of an image and scales it to a size, like Pillow's
 * `Image.transform(size, EXTENT, box, filter)` that MapProxy uses for rescaled tiles and WMS.
 */
import type { Size } from '../util/index.js';
import { ImageError } from './errors.js';
import { imageFromRaw } from './image-result.js';
import { pngMosaicOf } from './mosaic.js';
import { checkSize } from './pixels.js';
import type { ExtentBox } from './resample.js';
import type { ImageResult, RawImage, ResamplingMethod } from './types.js';
import { resampleInWorker } from './worker-pool.js';

/** A pixel box `[x0, y0, x1, y1]`, y down; may be fractional and reach outside the image. */
export type PixelBox = readonly [x0: number, y0: number, x1: number, y1: number];

/**
 * The `srcBox` part of `image` (pixels, y down) scaled to `dstSize` with `resampling`. An
 * integer box of exactly `dstSize` is a plain copy; anything else is resampled on a worker
 * thread (Pillow semantics: no antialiasing when shrinking). Areas outside the source are
 * transparent `(0, 0, 0, 0)`. Rejects with `ImageError` (`IMAGE_DECODE`, `IMAGE_INVALID`,
 * `IMAGE_TRANSFORM`).
 */
export async function cropAndScale(
  image: ImageResult,
  srcBox: PixelBox,
  dstSize: Size,
  resampling: ResamplingMethod,
): Promise<ImageResult> {
  checkSize(dstSize);
  const [x0, y0, x1, y1] = srcBox;
  if (srcBox.every(Number.isInteger) && x1 - x0 === dstSize[0] && y1 - y0 === dstSize[1]) {
    return imageFromRaw(crop(await image.raw(), x0, y0, dstSize), { owned: true });
  }
  // Pillow EXTENT: the whole output onto the box
  const data = await runResample(image, dstSize, { extent: [x0, y0, x1, y1] }, resampling, false);
  // the kernel's pixels are this image's alone: its last encode may move them
  return imageFromRaw({ data, size: dstSize }, { owned: true });
}

/**
 * Runs the resampling kernel for the mesh `cells` over `image` on the worker pool; `opaque`
 * flattens source and result as flatten.ts says.
 */
export function resampleMesh(
  image: ImageResult,
  dstSize: Size,
  cells: Float64Array,
  method: ResamplingMethod,
  opaque: boolean,
): Promise<Buffer> {
  return runResample(image, dstSize, { cells }, method, opaque);
}

async function runResample(
  image: ImageResult,
  dstSize: Size,
  mapping: { readonly cells: Float64Array } | { readonly extent: ExtentBox },
  method: ResamplingMethod,
  opaque: boolean,
): Promise<Buffer> {
  const job = {
    srcWidth: image.size[0],
    srcHeight: image.size[1],
    dstWidth: dstSize[0],
    dstHeight: dstSize[1],
    method,
    opaque,
    ...mapping,
  };
  // 1. stored PNG tiles are stitched on the worker thread; 2. anything else is decoded here
  const mosaic = pngMosaicOf(image);
  let out = mosaic === null ? null : await resampleInWorker({ ...job, mosaic });
  if (out === null) {
    const raw = await image.raw();
    checkRawSize(raw, image.size);
    const { data } = raw;
    // structured clone copies a view's whole ArrayBuffer: hand over an exact one; the worker
    // may flatten its copy in place
    const src =
      data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : new Uint8Array(data);
    out = await resampleInWorker({ ...job, src });
    if (out === null) throw new ImageError('resampling returned no pixels', 'IMAGE_TRANSFORM');
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

function checkRawSize(raw: RawImage, size: Size): void {
  if (raw.size[0] !== size[0] || raw.size[1] !== size[1]) {
    throw new ImageError(`decoded ${raw.size.join('x')} pixels, expected ${size.join('x')}`, 'IMAGE_INVALID');
  }
}

/** `size` pixels of `raw` from `(x, y)`; outside is transparent black, as Pillow's `crop` fills. */
function crop(raw: RawImage, x: number, y: number, size: Size): RawImage {
  const [width, height] = size;
  const [srcWidth, srcHeight] = raw.size;
  const data = Buffer.alloc(width * height * 4);
  const cx0 = Math.max(0, x);
  const cx1 = Math.min(srcWidth, x + width);
  for (let row = Math.max(0, y); row < Math.min(srcHeight, y + height) && cx1 > cx0; row += 1) {
    const source = (row * srcWidth + cx0) * 4;
    raw.data.copy(data, ((row - y) * width + (cx0 - x)) * 4, source, source + (cx1 - cx0) * 4);
  }
  return { data, size };
}
