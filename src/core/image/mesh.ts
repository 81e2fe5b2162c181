/**
 * The control-point mesh of a reprojection (MapProxy `transform_meshes`): destination rectangles
 * with the source pixel positions of their corners, subdivided until the bilinear interpolation
 * inside each is within `maxErrorPx` at its centre. Runs on the main thread (proj4 calls).
 */
import type { Srs } from '../srs/index.js';
import type { BBox, Size } from '../util/index.js';

type Quad = readonly [x0: number, y0: number, x1: number, y1: number];
type Point = readonly [number, number];

/** Source and destination of a reprojection. */
export interface MeshSpec {
  readonly srcSize: Size;
  readonly srcBBox: BBox;
  readonly srcSrs: Srs;
  readonly dstSize: Size;
  readonly dstBBox: BBox;
  readonly dstSrs: Srs;
  /** Tolerated deviation at a cell centre in destination pixels; MapProxy's default is 1. */
  readonly maxErrorPx: number;
}

/** Cells shorter than this (pixels) on a side are never divided (MapProxy: one quad per 50 px). */
const MIN_CELL_PX = 50;

/**
 * The mesh as a flat list of cells of 12 numbers (`CELL_STRIDE` in resample.ts): dst box, then the src pixel positions
 * of its NW, SW, SE and NE corners (y down). Corners that cannot be projected yield NaN positions,
 * which the kernel treats as outside.
 */
export function transformMesh(spec: MeshSpec): Float64Array {
  const srcBBox = alignBBox(spec.srcSrs, spec.srcBBox);
  const dstBBox = alignBBox(spec.dstSrs, spec.dstBBox);
  const [srcW, srcH] = spec.srcSize;
  const [dstW, dstH] = spec.dstSize;
  // pixel (y down) <-> map (y up) on both sides
  const toSrcPx = ([x, y]: Point): Point => [
    ((x - srcBBox[0]) / (srcBBox[2] - srcBBox[0])) * srcW,
    ((srcBBox[3] - y) / (srcBBox[3] - srcBBox[1])) * srcH,
  ];
  const toSrcMap = ([px, py]: Point): Point => [
    srcBBox[0] + (px / srcW) * (srcBBox[2] - srcBBox[0]),
    srcBBox[3] - (py / srcH) * (srcBBox[3] - srcBBox[1]),
  ];
  const toDstMap = ([px, py]: Point): Point => [
    dstBBox[0] + (px / dstW) * (dstBBox[2] - dstBBox[0]),
    dstBBox[3] - (py / dstH) * (dstBBox[3] - dstBBox[1]),
  ];
  const maxErr = spec.maxErrorPx * ((dstBBox[2] - dstBBox[0]) / dstW);
  const cells: number[] = [];

  const corners = (quad: Quad): Point[] => {
    const [x0, y0, x1, y1] = quad;
    const dst = (
      [
        [x0, y0],
        [x0, y1],
        [x1, y1],
        [x1, y0],
      ] as const
    ).map(toDstMap);
    return spec.dstSrs.transformPoints(spec.srcSrs, dst).map(toSrcPx);
  };
  const isGood = (quad: Quad, src: readonly Point[]): boolean => {
    const w = quad[2] - quad[0];
    const h = quad[3] - quad[1];
    if (w < MIN_CELL_PX || h < MIN_CELL_PX) return true;
    const expected = toDstMap([quad[0] + w / 2 - 0.5, quad[1] + h / 2 - 0.5]);
    const [actual] = spec.srcSrs.transformPoints(spec.dstSrs, [toSrcMap(centreOf(quad, src))]);
    if (actual === undefined) return false;
    return Math.max(Math.abs(expected[0] - actual[0]), Math.abs(expected[1] - actual[1])) < maxErr;
  };
  const add = (quad: Quad): void => {
    const src = corners(quad);
    if (isGood(quad, src)) {
      cells.push(...quad, ...src.flat());
    } else {
      for (const sub of divide(quad)) add(sub);
    }
  };
  add([0, 0, dstW, dstH]);
  return new Float64Array(cells);
}

/** Where the bilinear map of `quad` onto `src` puts the quad's centre pixel (MapProxy `center_quad_transform`). */
function centreOf(quad: Quad, src: readonly Point[]): Point {
  const w = quad[2] - quad[0];
  const h = quad[3] - quad[1];
  const [nw = [0, 0], sw = [0, 0], se = [0, 0], ne = [0, 0]] = src;
  const x = w / 2 - 0.5;
  const y = h / 2 - 0.5;
  const px =
    nw[0] +
    ((ne[0] - nw[0]) / w) * x +
    ((sw[0] - nw[0]) / h) * y +
    ((se[0] - sw[0] - ne[0] + nw[0]) / (w * h)) * x * y;
  const py =
    nw[1] +
    ((ne[1] - nw[1]) / w) * x +
    ((sw[1] - nw[1]) / h) * y +
    ((se[1] - sw[1] - ne[1] + nw[1]) / (w * h)) * x * y;
  return [px, py];
}

/** MapProxy `divide_quad`: halves along the long side only when it is over twice the short one. */
function divide(quad: Quad): Quad[] {
  const [x0, y0, x1, y1] = quad;
  const w = x1 - x0;
  const h = y1 - y0;
  const xc = Math.trunc(x0 + w / 2);
  const yc = Math.trunc(y0 + h / 2);
  if (w > 2 * h)
    return [
      [x0, y0, xc, y1],
      [xc, y0, x1, y1],
    ];
  if (h > 2 * w)
    return [
      [x0, y0, x1, yc],
      [x0, yc, x1, y1],
    ];
  return [
    [x0, y0, xc, yc],
    [xc, y0, x1, yc],
    [x0, yc, xc, y1],
    [xc, yc, x1, y1],
  ];
}

/** MapProxy `SRS.align_bbox`: EPSG:4326 latitudes of ±90 move in by 1e-8 so they project. */
function alignBBox(srs: Srs, bbox: BBox): BBox {
  if (srs.code !== 'EPSG:4326') return bbox;
  const delta = 0.00000001;
  const [minx, miny, maxx, maxy] = bbox;
  return [
    minx,
    Math.abs(miny + 90) < 1e-6 ? -90 + delta : miny,
    maxx,
    Math.abs(maxy - 90) < 1e-6 ? 90 - delta : maxy,
  ];
}
