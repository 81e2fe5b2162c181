/**
 * MapProxy 1.15 `WMSServer.map` with `srs_extents` (`bbox_srs` entries with a `bbox`): a GetMap in
 * that SRS renders only the part of its bbox inside the box, placed into the requested size.
 */
import { bboxPositionInImage } from '../../layer/index.js';
import { bboxIntersects, type BBox, type Size } from '../../util/index.js';

/** The rendered part of a limited map: its bbox and size, and where it goes in the map. */
export interface LimitedMap {
  readonly bbox: BBox;
  readonly size: Size;
  readonly offset: readonly [number, number];
}

/**
 * null when `extent` is null or contains the map (MapProxy `bbox_contains`, with its tolerance of
 * a 10^13th of the extent), `'outside'` when they do not overlap (a blank map, nothing rendered),
 * else the part inside (MapProxy `bbox_position_in_image` of the intersection).
 */
export function limitToSrsExtent(
  params: { readonly bbox: BBox; readonly size: Size },
  extent: BBox | null,
): LimitedMap | 'outside' | null {
  if (extent === null || contains(extent, params.bbox)) return null;
  if (!bboxIntersects(extent, params.bbox)) return 'outside';
  const [minx, miny, maxx, maxy] = params.bbox;
  const limited: BBox = [
    Math.max(extent[0], minx),
    Math.max(extent[1], miny),
    Math.min(extent[2], maxx),
    Math.min(extent[3], maxy),
  ];
  return bboxPositionInImage(params.bbox, params.size, limited);
}

function contains(outer: BBox, inner: BBox): boolean {
  const dx = Math.abs(outer[2] - outer[0]) / 10e12;
  const dy = Math.abs(outer[3] - outer[1]) / 10e12;
  return (
    outer[0] <= inner[0] + dx &&
    outer[2] >= inner[2] - dx &&
    outer[1] <= inner[1] + dy &&
    outer[3] >= inner[3] - dy
  );
}
