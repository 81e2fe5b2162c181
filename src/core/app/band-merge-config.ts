/**
 * A cache's band `sources` (`{r, g, b, a, l}: [{source, band, factor}]`) read as MapProxy's
 * `_sources_for_band_merge` reads them: the distinct source names, the merge ops and the mode.
 */
import { configErrorAt, type LoadedConfig } from '../config/index.js';
import type { BandMode, BandOp } from '../image/index.js';

/** One band's entries as the schema checked them. */
export type BandSources = Readonly<
  Record<string, readonly { readonly source: string; readonly band: number; readonly factor?: number }[]>
>;

const BAND_INDEX: Readonly<Record<string, number>> = { r: 0, g: 1, b: 2, a: 3, l: 0 };

/**
 * Names in order of first mention (the bands in the file's order), ops indexing them, and the
 * mode: `l` with an `l` band, else `rgba` with an `a` band, else `rgb`. Throws `ConfigError` at
 * an entry whose `band` is not a channel (0-3) of an RGBA image.
 */
export function bandMerge(
  loaded: LoadedConfig,
  cacheName: string,
  bands: BandSources,
): { names: string[]; ops: BandOp[]; mode: BandMode } {
  const names: string[] = [];
  const ops: BandOp[] = [];
  for (const [band, entries] of Object.entries(bands)) {
    const dstBand = BAND_INDEX[band];
    if (dstBand === undefined)
      throw configErrorAt(loaded, ['caches', cacheName, 'sources', band], `unsupported band '${band}'`);
    entries.forEach((entry, i) => {
      if (!Number.isInteger(entry.band) || entry.band < 0 || entry.band > 3)
        throw configErrorAt(
          loaded,
          ['caches', cacheName, 'sources', band, i, 'band'],
          `band ${String(entry.band)} is not a channel of an RGBA image (0-3)`,
        );
      if (!names.includes(entry.source)) names.push(entry.source);
      ops.push({
        dstBand,
        srcImage: names.indexOf(entry.source),
        srcBand: entry.band,
        factor: entry.factor ?? 1,
      });
    });
  }
  const mode: BandMode = 'l' in bands ? 'l' : 'a' in bands ? 'rgba' : 'rgb';
  return { names, ops, mode };
}
