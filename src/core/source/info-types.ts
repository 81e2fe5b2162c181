/**
 * The feature-info and legend seams of sources (MapProxy `InfoSource`, `LegendSource`): what the
 * WMS forwards GetFeatureInfo and GetLegendGraphic to.
 */
import type { ImageResult } from '../image/index.js';
import type { Srs } from '../srs/index.js';
import type { BBox, Size } from '../util/index.js';

/** A GetFeatureInfo for one pixel of a map (x/y bbox in `srs`). */
export interface InfoQuery {
  readonly bbox: BBox;
  readonly size: Size;
  readonly srs: Srs;
  /** Pixel from the top left. */
  readonly pos: readonly [number, number];
  /** Requested INFO_FORMAT (mime type) or undefined. */
  readonly infoFormat: string | undefined;
  readonly featureCount: string | undefined;
}

/** One answer: the bytes and their mime type (without parameters). */
export interface FeatureInfoDoc {
  readonly data: Buffer;
  readonly contentType: string;
}

export interface FeatureInfoSource {
  /** The source's answer, or null when it has nothing; rejects with `SourceError`. */
  getFeatureInfo(query: InfoQuery): Promise<FeatureInfoDoc | null>;
}

export interface LegendSource {
  /** The legend image, or null; rejects with `SourceError`. `scale` is the SCALE parameter. */
  getLegend(query: { readonly scale: number | null }): Promise<ImageResult | null>;
}
