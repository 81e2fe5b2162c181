/**
 * Scale denominator <-> resolution conversions (MapProxy `script/scales.py` and `grid.py`
 * `ogc_scale_to_res`), for `mapproxy-util scales` and `min_scale`/`max_scale` options.
 */

/** The OGC standard pixel: 0.28 mm. */
export const OGC_PIXEL_SIZE_M = 0.00028;
/** The DPI equivalent of the 0.28 mm OGC pixel: 2.54 / (0.00028 * 100) = 90.714... */
export const OGC_DPI = 2.54 / (OGC_PIXEL_SIZE_M * 100);
/** Metres per degree MapProxy uses for degree resolutions (from the GoogleCRS84Quad scale set). */
export const METERS_PER_DEGREE = 111319.4907932736;

/** `m`: resolutions in metres per pixel; `d`: degrees per pixel. */
export type ResolutionUnit = 'm' | 'd';

function unitFactor(unit: ResolutionUnit): number {
  return unit === 'd' ? METERS_PER_DEGREE : 1;
}

/** Resolution (map units per pixel) of scale denominator `scale` at `dpi` (default OGC's 0.28 mm pixel). */
export function scaleToResolution(scale: number, dpi: number = OGC_DPI, unit: ResolutionUnit = 'm'): number {
  const metersPerPixel = 2.54 / (dpi * 100);
  return (scale * metersPerPixel) / unitFactor(unit);
}

/** Scale denominator of resolution `res` (map units per pixel) at `dpi` (default OGC's 0.28 mm pixel). */
export function resolutionToScale(res: number, dpi: number = OGC_DPI, unit: ResolutionUnit = 'm'): number {
  const metersPerPixel = 2.54 / (dpi * 100);
  return (res / metersPerPixel) * unitFactor(unit);
}
