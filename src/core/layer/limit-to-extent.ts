/**
 * MapProxy `MapLayer.get_map` with `extent`: a query reaching beyond the layer's extent renders only
 * the part inside and pastes it onto a transparent image of the full size.
 */
import type { ImageResult } from '../image/index.js';
import { bboxPositionInImage, pasteOnTransparent, type MapQuery } from '../source/index.js';
import { bboxIntersects, type BBox } from '../util/index.js';
import type { LayerExtent } from './map-layer.js';

/**
 * Renders `query` through `render`, limited to `extent`: null when they do not intersect, the
 * sub-query pasted at its offset when the extent covers only a part (on opaque white for a
 * layer whose image options name `mode: RGB`, see `pasteOnTransparent`).
 */
export async function renderWithinExtent(
  query: MapQuery,
  extent: LayerExtent,
  render: (query: MapQuery) => Promise<ImageResult | null>,
  modeRgb = false,
): Promise<ImageResult | null> {
  // 1. MapProxy MapExtent.contains/intersects: the query's bbox transformed into the extent's SRS
  //    (4326 -> 3857 clamped at ±180°/±85.06°), so a query that only overhangs where the extent's
  //    SRS has no coordinates is rendered whole, as MapProxy does
  const inExtentSrs = queryIn(extent, query);
  if (inExtentSrs !== null) {
    if (contains(extent.bbox, inExtentSrs)) return render(query);
    if (!bboxIntersects(extent.bbox, inExtentSrs)) return null;
  }
  // 2. the part inside: the extent transformed into the query's SRS (bbox_position_in_image)
  const limit = extentIn(extent, query);
  if (limit === null || !bboxIntersects(limit, query.bbox)) return null;
  if (inExtentSrs === null && contains(limit, query.bbox)) return render(query);
  const sub = bboxPositionInImage(query.bbox, query.size, limit);
  if (sub.size[0] <= 0 || sub.size[1] <= 0) return null;
  const image = await render({ ...query, bbox: sub.bbox, size: sub.size });
  return image === null ? null : pasteOnTransparent(image, query.size, sub.offset, modeRgb);
}

/**
 * The query bbox in the extent's SRS; null when a coordinate is not finite. A bbox none of whose
 * points transform (a latitude beyond ±90° to web mercator) throws `SrsError` (`SRS_TRANSFORM`):
 * MapProxy's `MapExtent.contains` raises TransformationError there and the WMS answers "Could
 * not transform BBOX: Invalid result.".
 */
function queryIn(extent: LayerExtent, query: MapQuery): BBox | null {
  if (extent.srs.equals(query.srs)) return query.bbox;
  const bbox = query.srs.transformBBox(extent.srs, query.bbox);
  return bbox.every(Number.isFinite) ? bbox : null;
}

function extentIn(extent: LayerExtent, query: MapQuery): BBox | null {
  if (extent.srs.equals(query.srs)) return extent.bbox;
  const bbox = extent.srs.transformBBox(query.srs, extent.bbox);
  return bbox.every(Number.isFinite) ? bbox : null;
}

function contains(outer: BBox, inner: BBox): boolean {
  // a relative tolerance against rounding in the transformation (MapProxy bbox_contains allows 1e-13)
  const eps = Math.max(Math.abs(outer[2] - outer[0]), Math.abs(outer[3] - outer[1])) * 1e-9;
  return (
    outer[0] - eps <= inner[0] &&
    outer[1] - eps <= inner[1] &&
    outer[2] + eps >= inner[2] &&
    outer[3] + eps >= inner[3]
  );
}
