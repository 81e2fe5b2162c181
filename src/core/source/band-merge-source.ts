/**
 * A cache's band-merged `sources` (MapProxy `_sources_for_band_merge` + `BandMerger`) as one
 * source: every source is queried in parallel, the channels are then merged by `mergeBands`.
 */
import type { TileGrid } from '../grid/index.js';
import {
  blankImage,
  mergeBands,
  OPAQUE_WHITE,
  type BandMode,
  type BandOp,
  type ImageResult,
} from '../image/index.js';
import type { MapQuery, MapSource } from './types.js';

export interface BandMergeSourceOptions {
  /** The cache's name, for logs and errors. */
  readonly name: string;
  /** The distinct sources, in order of first mention (`BandOp.srcImage` indexes them). */
  readonly sources: readonly MapSource[];
  readonly ops: readonly BandOp[];
  readonly mode: BandMode;
  /** The cache's `image.transparent`: the blank image is then transparent, else white. */
  readonly transparent: boolean;
}

export function createBandMergeSource(options: BandMergeSourceOptions): MapSource {
  const { sources, ops, mode } = options;
  const freeForm = sources.filter((s) => s.tileGrid === null && s.supportsMetaTiles !== false);
  // the tile creator decides meta tiling from the sources, as MapProxy's TileManager does from
  // the band sources themselves: all free-form, or all read tile by tile
  const tileGrid: TileGrid | null = freeForm.length === 0 ? (sources[0]?.tileGrid ?? null) : null;
  const needed = Math.max(0, ...ops.map((op) => op.srcImage + 1));
  return {
    name: options.name,
    isTransparent: mode === 'rgba',
    tileGrid,
    ...(freeForm.length > 0 && freeForm.length < sources.length ? { supportsMetaTiles: false } : {}),
    async getMap(query: MapQuery): Promise<ImageResult | null> {
      const answers = await Promise.all(sources.map((source) => source.getMap(query)));
      // MapProxy drops the sources that had nothing (BlankImage) before it indexes the images,
      // and answers a blank image when fewer images remain than the ops need
      const images = answers.filter((image): image is ImageResult => image !== null);
      if (images.length < needed) return blankImage(query.size, options.transparent ? null : OPAQUE_WHITE);
      return mergeBands(images, ops, mode, query.size);
    },
  };
}
