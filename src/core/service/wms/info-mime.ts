/**
 * MapProxy's feature info type <-> mime type table per WMS version (`request/wms/__init__.py`
 * `info_formats`): XML is `text/xml` in 1.3.0 and `application/vnd.ogc.gml` before.
 */
import type { WmsVersion } from './wms-version.js';

const TABLE = (version: WmsVersion): readonly (readonly [string, string])[] => [
  ['text', 'text/plain'],
  ['html', 'text/html'],
  ['xml', version === '1.3.0' ? 'text/xml' : 'application/vnd.ogc.gml'],
  ['json', 'application/json'],
];

/** MapProxy `mimetype_from_infotype`; an unknown type is returned as it is (a configured mime type). */
export function infoMime(version: WmsVersion, type: string): string {
  return TABLE(version).find(([t]) => t === type)?.[1] ?? type;
}

/** MapProxy `infotype_from_mimetype`: exact mime types only; undefined for any other. */
export function infoTypeOfMime(version: WmsVersion, mime: string): string | undefined {
  return TABLE(version).find(([, m]) => m === mime)?.[0];
}
