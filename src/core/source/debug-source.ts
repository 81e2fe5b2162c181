/**
 * The `debug` source (MapProxy `DebugSource`): draws the query's bbox and resolution on a
 * transparent image instead of asking an upstream.
 */
import type { ImageResult } from '../image/index.js';
import { pyFixed, pyFloatRepr, type BBox, type Size } from '../util/index.js';
import { textImage } from './images.js';
import type { MapQuery, MapSource } from './types.js';

/** MapProxy's text: `bbox: (minx, miny, maxx, maxy)\nres: %.8f(%.8f)` (x and y resolution). */
export function debugText(bbox: BBox, size: Size): string {
  const resX = (bbox[2] - bbox[0]) / size[0];
  const resY = (bbox[3] - bbox[1]) / size[1];
  return `bbox: (${bbox.map(pyFloatRepr).join(', ')})\nres: ${pyFixed(resX, 8)}(${pyFixed(resY, 8)})`;
}

/** A source that answers every query with its debug text (no coverage, no resolution limits). */
export function createDebugSource(name = 'debug'): MapSource {
  return {
    name,
    isTransparent: true,
    tileGrid: null,
    // MapProxy DebugSource is a plain MapLayer: no meta tiles, so every tile shows its own bbox
    supportsMetaTiles: false,
    getMap(query: MapQuery): Promise<ImageResult> {
      return textImage({ text: debugText(query.bbox, query.size), size: query.size });
    },
  };
}
