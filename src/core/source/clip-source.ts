/**
 * `coverage: {clip: true}` (MapProxy `image/mask.py`, applied in `merge_images`): a source whose
 * images are transparent outside its coverage polygon. The polygon-to-pixel math lives here.
 */
import {
  combineCoverages,
  createBBoxCoverage,
  GridError,
  transformCoverage,
  type Coverage,
  type PolygonCoverage,
} from '../grid/index.js';
import { maskImage, type ImageResult, type PixelPolygon } from '../image/index.js';
import type { Srs } from '../srs/index.js';
import type { BBox, Size } from '../util/index.js';
import type { GetMapOptions, MapQuery, MapSource } from './types.js';

/**
 * The polygons of `coverage` inside `bbox` (in `srs`) as pixel rings of an image of `size`, top-left
 * origin. Clipping to the bbox first keeps coordinates small at deep zoom levels.
 */
export function coveragePixelPolygons(coverage: Coverage, bbox: BBox, srs: Srs, size: Size): PixelPolygon[] {
  const [minx, miny, maxx, maxy] = bbox;
  // one pixel of margin so that the bbox edge itself never becomes a mask edge
  const mx = (maxx - minx) / size[0];
  const my = (maxy - miny) / size[1];
  const box = createBBoxCoverage({ bbox: [minx - mx, miny - my, maxx + mx, maxy + my], srs });
  let clipped: PolygonCoverage;
  try {
    clipped = combineCoverages('intersection', [transformCoverage(coverage, srs), box]);
  } catch (error) {
    if (error instanceof GridError && error.code === 'GRID_EMPTY_COVERAGE') return [];
    throw error;
  }
  const sx = size[0] / (maxx - minx);
  const sy = size[1] / (maxy - miny);
  return clipped.polygons.map((polygon) =>
    polygon.map((ring) => ring.map(([x, y]): [number, number] => [(x - minx) * sx, (maxy - y) * sy])),
  );
}

/**
 * `source` with its images clipped to `coverage`: pixels whose centre is outside become
 * transparent. Images of queries inside the coverage pass unchanged. The result is transparent.
 */
export function clipSourceToCoverage(source: MapSource, coverage: Coverage): MapSource {
  // the coverage per query SRS: transforming a polygon vertex by vertex is worth caching
  const bySrs = new Map<string, Coverage>();
  const inSrs = (srs: Srs): Coverage => {
    let found = bySrs.get(srs.code);
    if (found === undefined) {
      found = transformCoverage(coverage, srs);
      bySrs.set(srs.code, found);
    }
    return found;
  };
  return {
    name: source.name,
    isTransparent: true,
    tileGrid: source.tileGrid,
    opacity: source.opacity ?? null,
    ...(source.supportsMetaTiles === undefined ? {} : { supportsMetaTiles: source.supportsMetaTiles }),
    clipsQuery: (query) => inSrs(query.srs).intersects(query.bbox, query.srs),
    async getMap(query: MapQuery, options?: GetMapOptions): Promise<ImageResult | null> {
      const image = await source.getMap(query, options);
      if (image === null) return null;
      const own = inSrs(query.srs);
      if (own.contains(query.bbox, query.srs)) return image;
      return maskImage(image, coveragePixelPolygons(own, query.bbox, query.srs, image.size));
    },
  };
}
