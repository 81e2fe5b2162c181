/**
 * Reference stage for seed.yaml: task caches, grids and coverages must exist, as MapProxy's
 * seed/config.py demands when it builds the tasks, and a `levels` range must hold a level.
 */
import { didYouMean } from './did-you-mean.js';
import { ConfigError, type ConfigPath, type SourcePosition } from './errors.js';
import type { ProxyConfig } from './types.js';

type Plain = Record<string, unknown>;

function rec(value: unknown): Plain {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Plain) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The grids shared by all `caches` of a task, or undefined when their grid lists differ. */
export function commonGrids(proxy: ProxyConfig, caches: readonly string[]): readonly string[] | undefined {
  let first: readonly string[] | undefined;
  for (const name of caches) {
    const grids = proxy.caches[name]?.grids;
    if (grids === undefined) continue;
    if (first === undefined) first = grids;
    else if (first.length !== grids.length || !grids.every((g) => first?.includes(g))) return undefined;
  }
  return first ?? [];
}

/** Checks every task of a schema-valid seed config against the loaded proxy config. */
export function checkSeedReferences(
  seed: Plain,
  proxy: ProxyConfig,
  at: (path: ConfigPath) => SourcePosition,
): ConfigError[] {
  const errors: ConfigError[] = [];
  const error = (
    path: ConfigPath,
    message: string,
    code: ConfigError['code'] = 'CONFIG_UNKNOWN_REF',
  ): void => {
    errors.push(new ConfigError(code, at(path), path, message));
  };
  const coverages = Object.keys(rec(seed.coverages));
  const cacheNames = Object.keys(proxy.caches);

  for (const section of ['seeds', 'cleanups'] as const) {
    for (const [task, value] of Object.entries(rec(seed[section]))) {
      const t = rec(value);
      const base: ConfigPath = [section, task];
      const caches = strings(t.caches);
      const known = caches.filter((c) => c in proxy.caches);
      strings(t.caches).forEach((cache, i) => {
        const conf = proxy.caches[cache];
        if (conf === undefined) {
          error(
            [...base, 'caches', i],
            `unknown cache "${cache}"${didYouMean(cache, cacheNames)} (known: ${cacheNames.sort().join(', ') || 'none'})`,
          );
        } else if (conf.disable_storage) {
          error(
            [...base, 'caches', i],
            `can't seed cache ${cache} (disable_storage: true)`,
            'CONFIG_INVALID_VALUE',
          );
        }
      });
      if (t.grids !== undefined) {
        strings(t.grids).forEach((grid, i) => {
          const missing = known.filter((c) => !(proxy.caches[c]?.grids ?? []).includes(grid));
          if (missing.length > 0) {
            error([...base, 'grids', i], `grid "${grid}" is not defined for cache ${missing.join(', ')}`);
          }
        });
      } else if (commonGrids(proxy, known) === undefined) {
        error(
          [...base, 'caches'],
          'caches in same seed task require identical grids',
          'CONFIG_INVALID_VALUE',
        );
      }
      // range(5, 3) is no level: MapProxy 1.15 fails with an IndexError, we seeded nothing in silence
      const levels = rec(t.levels);
      if (typeof levels.from === 'number' && typeof levels.to === 'number' && levels.from > levels.to) {
        error(
          [...base, 'levels'],
          `from ${String(levels.from)} is above to ${String(levels.to)}, which is no level; write the lower level first (from: ${String(levels.to)}, to: ${String(levels.from)})`,
          'CONFIG_INVALID_VALUE',
        );
      }
      strings(t.coverages).forEach((coverage, i) => {
        if (!coverages.includes(coverage)) {
          error(
            [...base, 'coverages', i],
            `unknown coverage "${coverage}"${didYouMean(coverage, coverages)} (known: ${coverages.sort().join(', ') || 'none'})`,
          );
        }
      });
    }
  }
  return errors;
}
