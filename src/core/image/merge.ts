/**
 * Merges layer images bottom first (MapProxy `LayerMerger`): alpha compositing onto a transparent
 * canvas, or pasting/blending onto an opaque background colour.
 */
import type { Size } from '../util/index.js';
import { alphaCompositeInto, blendInto, fadeAlpha, pasteWithAlphaInto } from './composite.js';
import { blankImage } from './blank.js';
import { encodedPilMode, imageFromRaw } from './image-result.js';
import { checkSize, filledBuffer, hasTransparency } from './pixels.js';
import { isKnownOpaque } from './resampled-image.js';
import type { ImageResult, PilMode, RawImage } from './types.js';

/** One input of {@link mergeImages}. */
export interface MergeLayer {
  readonly image: ImageResult;
  /** 0-1; absent/null = as drawn. */
  readonly opacity?: number | null | undefined;
  /**
   * The layer is configured opaque (MapProxy: its image options are not `transparent`): alone, its
   * encoded image goes out as it came, transparent pixels included, unless it is a sub image.
   */
  readonly opaque?: boolean | undefined;
  /**
   * The layer was clipped to its source's coverage here (`coverage: {clip: true}`): MapProxy's
   * LayerMerger never passes such a layer through, it draws it on the canvas, so its transparent
   * pixels take the background's colour (a JPEG tile is white there, not black).
   */
  readonly clipped?: boolean | undefined;
}

/** Images placed on a transparent canvas (see {@link asSubImage}). */
const SUB_IMAGES = new WeakSet<ImageResult>();

/** Pixels of ours with the mode of MapProxy's image there (see {@link pilMode}). */
const PIL_MODES = new WeakMap<ImageResult, 'RGB' | 'RGBA'>();

/**
 * Marks `image` as a sub image: a smaller answer placed on a transparent canvas of the full size
 * (MapProxy `SubImageSource`, whose options it forces to `transparent`), so that alone on an
 * opaque map it is merged onto the background colour, not passed through. `mode`: PIL's mode of
 * the canvas (RGB where the options name `mode: RGB`). Returns `image`.
 */
export function asSubImage(image: ImageResult, mode: 'RGB' | 'RGBA' = 'RGBA'): ImageResult {
  SUB_IMAGES.add(image);
  return withPilColorLength(image, mode === 'RGBA' ? 4 : 3);
}

/**
 * Marks pixels of ours with the {@link pilColorLength} of the image MapProxy holds there (a
 * reprojection keeps its source image's mode); null leaves `image` unmarked. Returns `image`.
 */
export function withPilColorLength(image: ImageResult, length: 3 | 4 | null): ImageResult {
  if (length !== null && image.format === null) PIL_MODES.set(image, length === 4 ? 'RGBA' : 'RGB');
  return image;
}

/**
 * How many values MapProxy's `is_single_color_image` gives the colour of a source's answer (and
 * of the tiles cut from it) as PIL holds it: 3 for JPEG and RGB PNG, 4 for RGBA PNG, and for a
 * paletted PNG or GIF 4 when its source is `transparent` (`ImageSource.as_image` converts mode P
 * to RGBA then), else 3 (the palette entry); a sub image's canvas is RGBA (`SubImageSource`), a
 * reprojection keeps its source's mode (see {@link withPilColorLength}). Null for other pixels of
 * our own and other encodings: their mode is the cache's, which the caller knows.
 */
export function pilColorLength(image: ImageResult, transparent: boolean): 3 | 4 | null {
  const mode = pilMode(image, transparent);
  return mode === null ? null : mode === 'RGBA' ? 4 : 3;
}

/**
 * PIL's mode of a source's answer `image` in MapProxy (see `encodedPilMode`): `RGB`, `RGBA` or
 * `P` for encoded bytes, the mode marked on pixels of ours (a sub image's canvas, a reprojection
 * keeps its source's mode, see {@link withPilColorLength}; a paletted answer reprojected is taken
 * as RGB: `img_for_resampling` converts it to its palette's mode); null for other pixels of ours.
 */
export function pilMode(image: ImageResult, transparent: boolean): PilMode | null {
  return PIL_MODES.get(image) ?? encodedPilMode(image, transparent);
}

/** Source answers computed from the upstream's (see {@link asSourceAnswer}). */
const ANSWERS = new WeakSet<ImageResult>();

/**
 * Marks `image` as a source's own answer although we computed its pixels (a reprojection of the
 * upstream image: MapProxy's transformed ImageSource keeps the source's image options), so that
 * alone on an opaque map it is passed through like encoded bytes. Returns `image`.
 */
export function asSourceAnswer(image: ImageResult): ImageResult {
  ANSWERS.add(image);
  return image;
}

/** The canvas of {@link mergeImages}. */
export interface MergeOptions {
  /** RGB of the background, default white. */
  readonly bgcolor?: readonly [r: number, g: number, b: number] | undefined;
  /** Transparent canvas (alpha compositing) or opaque `bgcolor` canvas. */
  readonly transparent: boolean;
}

/**
 * Merges `layers` (bottom first) into one `size` image, as MapProxy's `LayerMerger` with Pillow:
 * - transparent: start from `bgcolor` with alpha 0, fade each layer's alpha by its opacity
 *   (`alpha * int(255 * opacity) / 255`) and alpha-composite it;
 * - opaque: start from `bgcolor`; a layer with opacity < 1 is blended by its RGB (its alpha is
 *   ignored, as MapProxy converts it to RGB first), any other is pasted through its alpha.
 * No layers: a blank image. One layer of `size` that needs no background (the canvas is
 * transparent, it is encoded bytes of an `opaque` layer, or it has no transparent pixel and
 * does not fade) is returned unchanged, whatever the opacity of a transparent canvas's or an
 * opaque layer's (MapProxy 1.15's `LayerMerger` returns those as they are: a red opaque source
 * at opacity 0.5 alone is pure red), so its bytes can go out without a re-encode. Layers
 * smaller or larger than `size` are placed at the top left.
 * Rejects with `ImageError` (`IMAGE_DECODE`) when a layer cannot be decoded.
 */
export async function mergeImages(
  layers: readonly MergeLayer[],
  size: Size,
  options: MergeOptions,
): Promise<ImageResult> {
  checkSize(size);
  const [r, g, b] = options.bgcolor ?? [255, 255, 255];
  const first = layers[0];
  if (first === undefined) return blankImage(size, [r, g, b, options.transparent ? 0 : 255]);
  if (layers.length === 1 && first.clipped !== true) {
    const alone = await passedThrough(first, size, options.transparent);
    if (alone !== null) return alone;
  }

  const canvas = filledBuffer(size, [r, g, b, options.transparent ? 0 : 255]);
  // all at once: layers resampled when first needed (resampled-image.ts) run side by side
  const raws = await Promise.all(layers.map((layer) => layer.image.raw()));
  for (const [i, layer] of layers.entries()) {
    const pixels = fitted(raws[i] as RawImage, size);
    const opacity = layer.opacity ?? null;
    const fades = opacity !== null && opacity < 1;
    if (options.transparent) {
      alphaCompositeInto(canvas, fades ? fadeAlpha(pixels, Math.max(0, opacity)) : pixels);
    } else if (fades) {
      blendInto(canvas, pixels, Math.max(0, opacity));
    } else {
      pasteWithAlphaInto(canvas, pixels);
    }
  }
  return imageFromRaw({ data: canvas, size }, { owned: true });
}

/**
 * Whether MapProxy's image of a lone layer that {@link mergeImages} passed through has an alpha
 * band (PIL mode RGBA), which its `img_to_buf` follows: a true-colour png is written in the
 * image's mode, and a palette is quantised with alpha only from an RGBA image, even under
 * TRANSPARENT=true (FASTOCTREE on RGB and on RGBA pick other colours). Encoded PNG bytes: as PIL
 * opens them, a paletted one converted to RGBA for a transparent layer; other encoded bytes are taken to have one unless jpeg. Pixels we composed: a sub
 * image, a transparent layer's image, a reprojected source answer and any image with a
 * transparent pixel are RGBA (MapProxy's lone created tile is the source's RGBA image, a direct
 * source's answer past the world is transparent there); an opaque layer's mosaic without one is
 * RGB (MapProxy's tile merger draws an opaque cache's tiles onto an RGB canvas).
 */
export async function passedThroughHasAlpha({ image, opaque }: MergeLayer): Promise<boolean> {
  // a paletted PNG is RGBA in PIL when its layer is transparent (ImageSource.as_image converts it)
  if (image.format === 'image/png') return pilColorLength(image, opaque !== true) === 4;
  if (image.format !== null) return image.format !== 'image/jpeg';
  // pixels MapProxy holds in RGB: a mode RGB sub image's canvas, an RGB answer reprojected, an RGB
  // mosaic (see withPilColorLength)
  if (PIL_MODES.get(image) === 'RGB') return false;
  if (opaque !== true || SUB_IMAGES.has(image) || ANSWERS.has(image)) return true;
  // known without its pixels: a lazy resampling then still resamples and encodes in one task
  if (isKnownOpaque(image)) return false;
  return hasTransparency(await image.raw());
}

/**
 * The lone layer's image when the merge would not change it, else null. Where MapProxy merges a
 * transparent layer's image onto the background colour and the pixels merely come out the same
 * (no transparent pixel), the result is those pixels as a map of our own, not the source's encoded
 * bytes: MapProxy encodes its merged image in the request's format (e.g. quantised), never the
 * upstream's bytes.
 */
async function passedThrough(
  { image, opaque, opacity }: MergeLayer,
  size: Size,
  transparent: boolean,
): Promise<ImageResult | null> {
  if (image.size[0] !== size[0] || image.size[1] !== size[1]) return null;
  if (transparent) return image;
  // a transparent layer MapProxy merges onto the background: an opacity below 1 blends it there,
  // so even its opaque pixels change (a red source at opacity 0.5 alone comes out pink)
  if (opaque !== true && opacity !== undefined && opacity !== null && opacity < 1) return null;
  if (image.format === 'image/jpeg') return image;
  // MapProxy LayerMerger.merge returns a lone layer whose options are not `transparent` as is: an
  // opaque source's answer (encoded bytes as they came, or reprojected) keeps its transparent parts. Pixels we
  // composed are held to the rule below: a sub image is flagged transparent by MapProxy, and a
  // mosaic reaching beyond its grid is one of MapProxy's sub images there.
  if (opaque === true && (image.format !== null || ANSWERS.has(image)) && !SUB_IMAGES.has(image))
    return image;
  // an opaque resampling answers without its pixels (they may never come to this thread)
  if (isKnownOpaque(image)) return image;
  const raw = await image.raw();
  if (hasTransparency(raw)) return null;
  return image.format === null || opaque !== false ? image : imageFromRaw(raw);
}

/** `raw.data` as a `size` RGBA buffer: as is when sizes match, else placed at the top left. */
function fitted(raw: RawImage, size: Size): Buffer {
  const [width, height] = size;
  if (raw.size[0] === width && raw.size[1] === height) return raw.data;
  const out = Buffer.alloc(width * height * 4);
  const copyWidth = Math.min(width, raw.size[0]) * 4;
  for (let row = 0; row < Math.min(height, raw.size[1]); row += 1) {
    const source = row * raw.size[0] * 4;
    raw.data.copy(out, row * width * 4, source, source + copyWidth);
  }
  return out;
}
