/**
 * Per-pixel blending with Pillow's exact integer arithmetic, so merged tiles match MapProxy's
 * byte for byte: `Image.alpha_composite`, `paste` with an alpha mask, `Image.blend`, and the
 * `ImageChops.multiply` MapProxy uses to fade a layer by its opacity.
 */

/** `((v + 128) >> 8 + v + 128) >> 8`: Pillow's rounded division by 255. */
function div255(value: number): number {
  const tmp = value + 128;
  return ((tmp >> 8) + tmp) >> 8;
}

/** Pillow `SHIFTFORDIV255`. */
function shiftForDiv255(value: number): number {
  return ((value >>> 8) + value) >>> 8;
}

const PRECISION_BITS = 7;

/** `src` over `dst` (both RGBA, same length), into `dst`: Pillow `ImagingAlphaComposite`. */
export function alphaCompositeInto(dst: Buffer, src: Buffer): void {
  for (let i = 0; i < dst.length; i += 4) {
    const srcA = src[i + 3] ?? 0;
    if (srcA === 0) continue;
    const dstA = dst[i + 3] ?? 0;
    const blend = dstA * (255 - srcA);
    const outA255 = srcA * 255 + blend;
    const coef1 = Math.floor((srcA * 255 * 255 * (1 << PRECISION_BITS)) / outA255);
    const coef2 = 255 * (1 << PRECISION_BITS) - coef1;
    for (let c = 0; c < 3; c += 1) {
      const tmp = (src[i + c] ?? 0) * coef1 + (dst[i + c] ?? 0) * coef2;
      dst[i + c] = shiftForDiv255(tmp + (0x80 << PRECISION_BITS)) >>> PRECISION_BITS;
    }
    dst[i + 3] = shiftForDiv255(outA255 + 0x80);
  }
}

/** Pastes `src` onto opaque `dst` through `src`'s own alpha: Pillow `paste(img, box, img)` on RGB. */
export function pasteWithAlphaInto(dst: Buffer, src: Buffer): void {
  for (let i = 0; i < dst.length; i += 4) {
    const mask = src[i + 3] ?? 0;
    for (let c = 0; c < 3; c += 1) {
      dst[i + c] = div255((dst[i + c] ?? 0) * (255 - mask) + (src[i + c] ?? 0) * mask);
    }
  }
}

/**
 * `Image.blend(dst, src, opacity)` on the RGB channels, ignoring `src`'s alpha (MapProxy converts
 * the layer to RGB first); Pillow computes in single precision and truncates.
 */
export function blendInto(dst: Buffer, src: Buffer, opacity: number): void {
  const alpha = Math.fround(opacity);
  for (let i = 0; i < dst.length; i += 4) {
    for (let c = 0; c < 3; c += 1) {
      const a = dst[i + c] ?? 0;
      const value = Math.fround(a + Math.fround(alpha * ((src[i + c] ?? 0) - a)));
      dst[i + c] = value <= 0 ? 0 : value >= 255 ? 255 : Math.trunc(value);
    }
  }
}

/** A copy of `src` with alpha multiplied by `int(255 * opacity)` (`ImageChops.multiply`, truncating). */
export function fadeAlpha(src: Buffer, opacity: number): Buffer {
  const factor = Math.trunc(255 * opacity);
  const out = Buffer.from(src);
  for (let i = 3; i < out.length; i += 4) out[i] = Math.trunc(((out[i] ?? 0) * factor) / 255);
  return out;
}
