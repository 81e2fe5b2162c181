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
  /** The request's FORMAT (MapProxy `query.format`): sent upstream when the source's `req` has none. */
  readonly format?: string | undefined;
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

/** A GetLegendGraphic: its SCALE (or null) and FORMAT (mime type). */
export interface LegendQuery {
  readonly scale: number | null;
  readonly format: string;
}

export interface LegendSource {
  /** The legend image (1x1 transparent when no client answered); never rejects for a failed client. */
  getLegend(query: LegendQuery): Promise<ImageResult>;
  /** Width and height of the legend at no scale in PNG (MapProxy `size`, for LegendURL). */
  size(): Promise<Size>;
}
