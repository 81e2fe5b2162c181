/**
 * An opaque cache's mosaic as MapProxy works on it in RGB (`create_image`): its tiles without
 * their alpha, and the reprojection's pixels without a source black (composited onto black).
 * Runs on the resampling thread, beside the kernel.
 */
import { nextTranslucent, rgbaWords } from './pixels.js';

/** Composites RGBA `data` (straight alpha) onto the grey `background` in place, opaque. */
export function flattenOnto<T extends Uint8Array>(data: T, background: number): T {
  // maps are mostly opaque: only the pixels the scan stops at are composited
  const words = rgbaWords(data);
  for (let p = nextTranslucent(data, words, 0); p >= 0; p = nextTranslucent(data, words, p + 1)) {
    const i = p * 4;
    const alpha = data[i + 3] ?? 255;
    const under = background * (255 - alpha);
    for (let c = i; c < i + 3; c++) data[c] = Math.round(((data[c] ?? 0) * alpha + under) / 255);
    data[i + 3] = 255;
  }
  return data;
}

/**
 * Sets every alpha of RGBA `data` to 255 in place, keeping the colour under it: PIL's paste of an
 * RGBA tile into an RGB image (MapProxy's mosaic of an opaque cache) converts it without a mask.
 */
export function dropAlpha<T extends Uint8Array>(data: T): T {
  const words = rgbaWords(data);
  for (let p = nextTranslucent(data, words, 0); p >= 0; p = nextTranslucent(data, words, p + 1))
    data[p * 4 + 3] = 255;
  return data;
}
