/**
 * Whether an `image.opacity` fades an image, so that it is never sure to be opaque: MapProxy's
 * `is_opaque` test `0.0 < opacity < 0.99` (0.99 and above count as opaque, and so does 0).
 */
export function fadesOpacity(opacity: number | null): boolean {
  return opacity !== null && opacity > 0 && opacity < 0.99;
}
