/**
 * MapProxy `WMSInfoClient._get_transformed_query`: a feature info query moved into an SRS the
 * upstream supports, for the WMS and the ArcGIS identify sources alike.
 */
import { preferredSource, type Srs, type SrsOptions } from '../srs/index.js';
import type { BBox, Size } from '../util/index.js';
import type { InfoQuery } from './info-types.js';

export interface PlacedInfoQuery {
  readonly bbox: BBox;
  readonly size: Size;
  readonly pos: readonly [number, number];
  readonly srs: Srs;
}

/**
 * `query` unchanged when `supported` is empty or has its SRS; otherwise in the supported SRS
 * MapProxy's `best_srs` picks (`preferred_src_proj`, else the first of the same kind, geographic
 * or projected, else the first): the bbox transformed, the width kept and the height adapted
 * (truncated, as MapProxy's int()), the point reprojected.
 */
export function placeInfoQuery(
  query: InfoQuery,
  supported: readonly Srs[],
  options: SrsOptions = {},
): PlacedInfoQuery {
  const { bbox, size, pos, srs } = query;
  const target =
    supported.length === 0 || supported.some((s) => s.equals(srs))
      ? null
      : preferredSource(srs, supported, options);
  if (target === null) return { bbox, size, pos, srs };
  const [px, py] = pos;
  const x = bbox[0] + ((bbox[2] - bbox[0]) * px) / size[0];
  const y = bbox[3] - ((bbox[3] - bbox[1]) * py) / size[1];
  const [point] = srs.transformPoints(target, [[x, y]]);
  const targetBBox = srs.transformBBox(target, bbox);
  // MapProxy: int(aratio * width), the aspect ratio first
  const height = Math.trunc(((targetBBox[3] - targetBBox[1]) / (targetBBox[2] - targetBBox[0])) * size[0]);
  const [tx = NaN, ty = NaN] = point ?? [];
  return {
    bbox: targetBBox,
    size: [size[0], height],
    pos: [
      Math.round(((tx - targetBBox[0]) / (targetBBox[2] - targetBBox[0])) * size[0]),
      Math.round(((targetBBox[3] - ty) / (targetBBox[3] - targetBBox[1])) * height),
    ],
    srs: target,
  };
}
