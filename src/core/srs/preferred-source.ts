/** Choice of the source SRS for a target SRS (MapProxy `PreferredSrcSRS`). */
import { getSrs, type Srs } from './srs.js';

/**
 * The `globals.srs` options MapProxy 1.15 acts on. `axis_order_ne`/`axis_order_en` are not
 * here on purpose: with pyproj (MapProxy >= 1.13) the axis order comes from the EPSG database
 * and those keys are ignored.
 */
export interface SrsOptions {
  /** Target SRS code -> source SRS codes to try in order (`preferred_src_proj`). */
  readonly preferredSrcProj?: Readonly<Record<string, readonly string[]>>;
}

/**
 * The SRS of `supported` to request when `target` is wanted: `target` itself if supported, else
 * the first entry of `preferredSrcProj[target.code]` that is supported, else the first supported SRS of the same
 * kind (geographic or projected), else the first supported SRS. Support is checked by math (a
 * supported EPSG:900913 lets EPSG:3857 through, and EPSG:3857 is returned, as in MapProxy). Throws `SrsError` for an unknown preferred code,
 * and `RangeError` when `supported` is empty (a programming error).
 */
export function preferredSource(target: Srs, supported: readonly Srs[], options: SrsOptions = {}): Srs {
  const first = supported[0];
  if (first === undefined) throw new RangeError('no available source SRS');
  // MapProxy returns the target/preferred SRS itself (its code goes upstream), matched by math
  if (supported.some((srs) => srs.equals(target))) return target;
  for (const [targetCode, preferredCodes] of Object.entries(options.preferredSrcProj ?? {})) {
    // preferred_src_proj is a dict keyed by SRS code: EPSG:900913 does not pick up EPSG:3857's list
    if (getSrs(targetCode).code !== target.code) continue;
    for (const code of preferredCodes) {
      const preferred = getSrs(code);
      if (supported.some((srs) => srs.equals(preferred))) return preferred;
    }
  }
  return supported.find((srs) => srs.isGeographic === target.isGeographic) ?? first;
}
