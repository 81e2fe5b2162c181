/**
 * Reprojection of an image between bboxes and SRS (MapProxy `ImageTransformer`): nothing to do,
 * a crop/scale for the same SRS, or a control-point mesh resampled on a worker thread.
 */
import type { Srs } from '../srs/index.js';
import type { BBox, Size } from '../util/index.js';
import { cropAndScale, opaqueImage } from './crop-scale.js';
import { ImageError } from './errors.js';
import { transformMesh } from './mesh.js';
import { checkSize } from './pixels.js';
import { withPilColorLength } from './merge.js';
import { resampleImage } from './resampled-image.js';
import type { ImageResult, OpaqueMode, ResamplingMethod } from './types.js';

/** Where an image is: its bbox (x/y order) in `srs`. */
export interface ImagePlace {
  readonly bbox: BBox;
  readonly srs: Srs;
}

/** Options of {@link transformImage}. */
export interface TransformOptions {
  readonly resampling: ResamplingMethod;
  /** Tolerated mesh error in destination pixels; default 1 (MapProxy `max_px_err`). */
  readonly maxErrorPx?: number | undefined;
  /**
   * The image is the mosaic of an opaque cache, which MapProxy builds in RGB (`create_image`):
   * a reprojection then shows its transparent parts (missing tiles) white and the pixels that
   * have no source black, as Pillow fills an RGB transform; the result is opaque.
   * `'alpha'`: a lone tile with alpha, which MapProxy transforms in its own RGBA mode (its
   * TileMerger hands one tile on as it is) and only then pastes onto the RGB canvas or converts
   * to RGB: resampled with its alpha (premultiplied, so a pixel at a transparent part's edge keeps
   * its colour), then the alpha dropped; black where there is no source, opaque as with `true`.
   * `'palette'`: a lone paletted tile as read from the cache (no image options, so PIL keeps mode
   * P): resampled, it is RGB (`img_for_resampling` converts it to its palette's mode, the
   * transparent entry's colour shows) as with `true`; not resampled (the tile itself, an exact
   * crop) it keeps its transparency.
   */
  readonly opaque?: OpaqueMode | undefined;
  /**
   * Resample only when the pixels or an encode are first asked for: an 8-bit PNG encode then
   * runs in the resampling's own thread task (a WMS map's last steps, see resampled-image.ts).
   */
  readonly lazy?: boolean | undefined;
}

/**
 * `image` covering `src.bbox` in `src.srs`, re-rendered to `dst.size` pixels covering `dst.bbox`
 * in `dst.srs` (bboxes in x/y order, map units of their SRS):
 * 1. same size, SRS and bbox (within a tenth of a pixel): the image itself;
 * 2. same SRS: a crop, or a crop and scale (an exact crop when resolutions match within a tenth
 *    of a pixel, as MapProxy rounds to whole pixels then);
 * 3. otherwise a mesh of control points (`dstSrs.transformPoints`) resampled on a worker thread.
 * Pixels whose source lies outside the image are transparent (black with `opaque`). Rejects with `ImageError`
 * (`IMAGE_DECODE`, `IMAGE_INVALID` for a bad size or empty bbox, `IMAGE_TRANSFORM`).
 */
export async function transformImage(
  image: ImageResult,
  src: ImagePlace,
  dst: ImagePlace & { readonly size: Size },
  options: TransformOptions,
): Promise<ImageResult> {
  checkSize(dst.size);
  checkBBox(src.bbox);
  checkBBox(dst.bbox);
  const [srcW, srcH] = image.size;
  const [dstW, dstH] = dst.size;
  const sameSrs = src.srs.equals(dst.srs);
  const lazy = options.lazy === true;
  const opaque = options.opaque ?? false;
  const resampled = opaque === 'palette' ? true : opaque;
  const xRes = (dst.bbox[2] - dst.bbox[0]) / dstW;
  const yRes = (dst.bbox[3] - dst.bbox[1]) / dstH;
  // 1. nothing to do (MapProxy _no_transformation_needed)
  if (sameSrs && srcW === dstW && srcH === dstH && bboxEquals(src.bbox, dst.bbox, xRes / 10, yRes / 10)) {
    return opaque === false || opaque === 'palette' ? image : opaqueImage(image);
  }
  // 2. same SRS: crop/scale (MapProxy _transform_simple)
  if (sameSrs) {
    // MapProxy make_lin_transf's order of operations: a box edge that lands on a pixel edge only
    // up to rounding (tile bboxes summed from resolutions) lands on the same side of it
    const toPxX = (x: number): number => ((x - src.bbox[0]) * srcW) / (src.bbox[2] - src.bbox[0]);
    const toPxY = (y: number): number => ((src.bbox[3] - y) * srcH) / (src.bbox[3] - src.bbox[1]);
    const box = [toPxX(dst.bbox[0]), toPxY(dst.bbox[3]), toPxX(dst.bbox[2]), toPxY(dst.bbox[1])] as const;
    const srcXRes = (src.bbox[2] - src.bbox[0]) / srcW;
    const srcYRes = (src.bbox[3] - src.bbox[1]) / srcH;
    if (
      Math.abs(srcXRes - xRes) < Math.abs(xRes / (dstW * 10)) &&
      Math.abs(srcYRes - yRes) < Math.abs(yRes / (dstH * 10))
    ) {
      // same resolution: round to whole pixels, as MapProxy does against subpixel drift
      const x0 = pyRound(box[0]);
      const y0 = pyRound(box[1]);
      return cropAndScale(image, [x0, y0, x0 + dstW, y0 + dstH], dst.size, options.resampling, {
        lazy,
        opaque: opaque === 'palette' ? false : opaque,
      });
    }
    return inRgb(
      await cropAndScale(image, box, dst.size, options.resampling, { lazy, opaque: resampled }),
      opaque,
    );
  }
  // 3. reprojection through a mesh
  const cells = transformMesh({
    srcSize: image.size,
    srcBBox: src.bbox,
    srcSrs: src.srs,
    dstSize: dst.size,
    dstBBox: dst.bbox,
    dstSrs: dst.srs,
    maxErrorPx: options.maxErrorPx ?? 1,
  });
  const spec = {
    dstSize: dst.size,
    mapping: { cells },
    method: options.resampling,
    opaque: resampled,
  };
  return inRgb(await resampleImage(image, spec, { lazy }), opaque);
}

/** A resampling of a `'palette'` image is RGB in PIL (its encode quantises it without alpha). */
function inRgb(image: ImageResult, opaque: OpaqueMode): ImageResult {
  return opaque === 'palette' ? withPilColorLength(image, 3) : image;
}

function bboxEquals(a: BBox, b: BBox, xTolerance: number, yTolerance: number): boolean {
  return (
    Math.abs(a[0] - b[0]) < xTolerance &&
    Math.abs(a[1] - b[1]) < yTolerance &&
    Math.abs(a[2] - b[2]) < xTolerance &&
    Math.abs(a[3] - b[3]) < yTolerance
  );
}

/** Python 3 `round`: halves go to the even neighbour. */
function pyRound(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function checkBBox(bbox: BBox): void {
  if (!(bbox[2] > bbox[0] && bbox[3] > bbox[1])) {
    throw new ImageError(`invalid bbox ${bbox.join(',')}`, 'IMAGE_INVALID');
  }
}
