/**
 * WMS versions and their negotiation (MapProxy `request/wms` `negotiate_version`): a request
 * without a version gets the highest, an unsupported one the next lower (or the lowest).
 */

export type WmsVersion = '1.0.0' | '1.1.0' | '1.1.1' | '1.3.0';

export const WMS_VERSIONS: readonly WmsVersion[] = ['1.0.0', '1.1.0', '1.1.1', '1.3.0'];

function parts(version: string): number[] {
  return version.split('.').map((p) => Number.parseInt(p, 10) || 0);
}

function compare(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The version to answer `requested` (VERSION or WMTVER) with, among `supported` (ascending). */
export function negotiateVersion(
  requested: string | undefined,
  supported: readonly WmsVersion[],
): WmsVersion {
  const sorted = [...supported].sort(compare);
  const highest = sorted.at(-1) ?? '1.3.0';
  if (requested === undefined) return highest;
  const exact = sorted.find((v) => v === requested);
  if (exact !== undefined) return exact;
  const lowest = sorted[0] ?? '1.0.0';
  if (compare(requested, lowest) < 0) return lowest;
  return [...sorted].reverse().find((v) => compare(requested, v) >= 0) ?? highest;
}
