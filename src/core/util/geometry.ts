/**
 * The shared geometry vocabulary: bounding boxes and pixel sizes.
 * A BBox is always in x/y order of its SRS; axis flipping happens only at protocol boundaries.
 */

/** `[minx, miny, maxx, maxy]` in map units of some SRS, always x/y (east/north) order. */
export type BBox = readonly [minx: number, miny: number, maxx: number, maxy: number];

/** `[width, height]` in pixels. */
export type Size = readonly [width: number, height: number];

export function bboxWidth(bbox: BBox): number {
  return bbox[2] - bbox[0];
}

export function bboxHeight(bbox: BBox): number {
  return bbox[3] - bbox[1];
}

/** True when the two boxes overlap in an area (touching edges do not count). */
export function bboxIntersects(a: BBox, b: BBox): boolean {
  return a[0] < b[2] && a[2] > b[0] && a[1] < b[3] && a[3] > b[1];
}

/** The overlap of two boxes, or null when they do not overlap. */
export function bboxIntersection(a: BBox, b: BBox): BBox | null {
  if (!bboxIntersects(a, b)) return null;
  return [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];
}

/** True when `inner` lies completely inside `outer` (edges may touch). */
export function bboxContains(outer: BBox, inner: BBox): boolean {
  return outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];
}

/** True when minx < maxx and miny < maxy and every value is finite. */
export function isValidBBox(bbox: BBox): boolean {
  return bbox.every(Number.isFinite) && bbox[0] < bbox[2] && bbox[1] < bbox[3];
}
