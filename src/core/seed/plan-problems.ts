/**
 * `check -s`: every seed and cleanup task planned as `seed` plans it, against the runtime `check`
 * built; what planning refuses becomes a ConfigError at the task's key in seed.yaml.
 */
import type { ProxyRuntime } from '../app/index.js';
import { seedConfigCoverage } from '../app/index.js';
import { CacheError } from '../cache/index.js';
import { ConfigError, ConfigErrors, configErrorAt, type LoadedSeedConfig } from '../config/index.js';
import { SeedError } from './errors.js';
import { planSeed } from './plan.js';

/**
 * The refusals of planning each task, at the key they name (`levels`), at
 * `seeds.<name>.refresh_before`/`cleanups.<name>.remove_before` (the time limits they concern) or
 * the task. Coverage problems are left out: check reports them
 * itself. Touches no tile; reads only an `mtime` file a time limit names.
 */
export async function seedPlanProblems(
  runtime: ProxyRuntime,
  seed: LoadedSeedConfig,
): Promise<ConfigError[]> {
  const context = {
    seedConfig: seed.config,
    caches: runtime.caches,
    coverage: (name: string) => seedConfigCoverage(seed, name),
    nowMs: Date.now(),
  };
  const tasks = [
    ...Object.keys(seed.config.seeds).map((name) => ['seeds', name, 'refresh_before'] as const),
    ...Object.keys(seed.config.cleanups).map((name) => ['cleanups', name, 'remove_before'] as const),
  ];
  const errors: ConfigError[] = [];
  for (const [section, name, limitKey] of tasks) {
    try {
      await planSeed(
        context,
        section === 'seeds' ? { seeds: [name], cleanups: [] } : { seeds: [], cleanups: [name] },
      );
    } catch (error) {
      if (error instanceof ConfigError || error instanceof ConfigErrors) continue;
      if (!(error instanceof SeedError) && !(error instanceof CacheError)) throw error;
      // at the key the refusal names (`levels`), else at the time limit planning refused
      const key = error instanceof SeedError && error.key !== undefined ? error.key : limitKey;
      const path = seed.locate([section, name, key]) === undefined ? [section, name] : [section, name, key];
      errors.push(configErrorAt(seed, path, error.message, 'CONFIG_INVALID_VALUE', { cause: error }));
    }
  }
  return errors;
}
