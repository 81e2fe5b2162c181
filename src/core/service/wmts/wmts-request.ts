/** The parsed WMTS requests both encodings (KVP and RESTful) produce. */
import type { TileCoord } from '../../grid/index.js';

/** A GetTile: `tile.x` = TileCol, `tile.y` = TileRow (from the top), `tile.z` = TileMatrix. */
export interface WmtsTileRequest {
  readonly kind: 'tile';
  readonly layer: string;
  readonly tileMatrixSet: string;
  readonly tile: TileCoord;
  /** The format without `image/` (`png`); null or empty = the layer's format. */
  readonly format: string | null;
  /** RESTful template dimensions (lower-cased names); KVP extra parameters are not dimensions here. */
  readonly dimensions: Readonly<Record<string, string>>;
}

/** A GetFeatureInfo; `infoFormat` is a mime type (KVP) or a template suffix (REST). */
export interface WmtsFeatureInfoRequest extends Omit<WmtsTileRequest, 'kind'> {
  readonly kind: 'featureinfo';
  readonly infoFormat: string;
  /** `[I, J]`: the pixel in the tile, from its top left. */
  readonly pos: readonly [number, number];
  /** KVP `FEATURE_COUNT`, passed on to the sources. */
  readonly featureCount?: string | undefined;
}

export interface WmtsCapabilitiesRequest {
  readonly kind: 'capabilities';
}

export type WmtsRequest = WmtsTileRequest | WmtsFeatureInfoRequest | WmtsCapabilitiesRequest;

/** MapProxy `split_mime_type(...)[1]`: `image/png; mode=8bit` -> `png`, `png` -> `png`. */
export function formatOfMimeType(mimeType: string): string {
  const slash = mimeType.indexOf('/');
  const subtype = slash === -1 ? mimeType : mimeType.slice(slash + 1);
  const semicolon = subtype.indexOf(';');
  return semicolon === -1 ? subtype : subtype.slice(0, semicolon).trim();
}
