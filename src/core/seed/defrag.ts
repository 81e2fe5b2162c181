/**
 * `mapproxy-util defrag-compact-cache` (MapProxy 1.15 `script/defrag.py`): the compact caches of a
 * configuration (or the named ones), each grid's bundles defragmented when their dead space exceeds
 * `--min-percent` and `--min-mb`. Never prints; each bundle is reported through `onBundle`.
 */
import { buildProxy } from '../app/index.js';
import { CompactCache, defragCompactCache, type BundleReport } from '../cache/index.js';
import { loadConfig, type Env } from '../config/index.js';
import { SeedError } from './errors.js';

export interface DefragRunOptions {
  readonly proxyConfigFile: string;
  /** `--caches`: only these caches; default every compact cache. */
  readonly caches?: readonly string[] | undefined;
  /** `--min-percent` (default 10) and `--min-mb` (default 1): both must be exceeded. */
  readonly minPercent?: number | undefined;
  readonly minMb?: number | undefined;
  readonly dryRun?: boolean | undefined;
  readonly onBundle?: ((cacheName: string, report: BundleReport) => void) | undefined;
  readonly env?: Env | undefined;
}

/** Resolves with the number of bundles rewritten; rejects with `SeedError` (`SEED_UNKNOWN_CACHE`). */
export async function runDefrag(options: DefragRunOptions): Promise<number> {
  const loaded = await loadConfig(options.proxyConfigFile, { env: options.env });
  const runtime = buildProxy(loaded);
  const available = new Map<string, CompactCache[]>();
  for (const [name, grids] of runtime.caches) {
    for (const manager of grids.values()) {
      if (manager.cache instanceof CompactCache)
        available.set(name, [...(available.get(name) ?? []), manager.cache]);
    }
  }
  const missing = (options.caches ?? []).filter((name) => !available.has(name));
  if (missing.length > 0) {
    throw new SeedError(
      `unknown caches: ${missing.join(', ')}\navailable compact caches: ${[...available.keys()].join(', ')}`,
      'SEED_UNKNOWN_CACHE',
    );
  }
  let rewritten = 0;
  for (const [name, caches] of available) {
    if (options.caches !== undefined && !options.caches.includes(name)) continue;
    for (const cache of caches) {
      rewritten += await defragCompactCache(cache, {
        minFraction: (options.minPercent ?? 10) / 100,
        minBytes: (options.minMb ?? 1) * 1024 * 1024,
        dryRun: options.dryRun,
        onBundle: (report) => options.onBundle?.(name, report),
      });
    }
  }
  return rewritten;
}
