/**
 * The `check` use case with everything the configuration stage cannot see on its own: the
 * grids are built, so a grid that cannot exist (no bbox for a UTM SRS, a bad res list) fails
 * `check` with its YAML position instead of failing later at serve time; so does a cache backend
 * that `serve` could not build (an unsupported `cache.type`, options its factory refuses), and so
 * does an option `serve` refuses because it cannot honour it (`unsupported-options.ts`), and a
 * `mapserver` source whose binary or working directory does not exist. Source coverages are read
 * as `serve` reads them and, with a seed.yaml, the coverages its tasks use as `seed` reads them.
 */
import {
  checkConfig,
  ConfigError,
  ConfigErrors,
  type CheckConfigOptions,
  type CheckConfigResult,
  type ConfigCheck,
} from '../config/index.js';
import { buildGrids } from './build-grids.js';
import { checkCacheBackends } from './cache-backends.js';
import { configCoverage, seedConfigCoverage } from './coverage-from-config.js';
import { checkLockBackend } from './lock-backends.js';
import { mapServerSetup } from './mapserver-source.js';
import { projDataDirProblems } from './proj-data-dir.js';
import { unsupportedOptions } from './unsupported-options.js';

const buildsGrids: ConfigCheck = (loaded) => {
  try {
    buildGrids(loaded);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return { errors: [error] };
    if (error instanceof ConfigErrors) return { errors: error.errors };
    throw error;
  }
};

// every cache's backend: a type serve could not run, or options its factory refuses; so the locks
const buildsCacheBackends: ConfigCheck = (loaded) => ({
  errors: [...checkCacheBackends(loaded), ...checkLockBackend(loaded)],
});

/** The `ConfigError` that `build` throws, if any. */
function configProblems(build: () => unknown): ConfigError[] {
  try {
    build();
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [error];
    throw error;
  }
}

// mapserver sources whose binary or working_dir does not exist
const findsMapServer: ConfigCheck = (loaded) => ({
  errors: Object.entries(loaded.config.sources).flatMap(([name, source]) =>
    source.type === 'mapserver' ? configProblems(() => mapServerSetup(loaded, name, source)) : [],
  ),
});

// every source's coverage, read as serve reads it (a debug source ignores its coverage)
const buildsSourceCoverages: ConfigCheck = (loaded) => ({
  errors: Object.entries(loaded.config.sources).flatMap(([name, source]) => {
    const section = source.type === 'debug' || !('coverage' in source) ? undefined : source.coverage;
    if (section === undefined) return [];
    return configProblems(() => configCoverage(loaded, ['sources', name, 'coverage'], section));
  }),
});

// the seed.yaml coverages that tasks use (MapProxy reads only those): what seed would refuse
const buildsSeedCoverages: ConfigCheck = (_loaded, seed) => {
  if (seed === undefined) return undefined;
  const tasks = [...Object.values(seed.config.seeds), ...Object.values(seed.config.cleanups)];
  const names = new Set(tasks.flatMap((task) => task.coverages ?? []));
  return { errors: [...names].flatMap((name) => configProblems(() => seedConfigCoverage(seed, name))) };
};

// globals.srs.proj_data_dir that is not a directory
const findsProjDataDir: ConfigCheck = (loaded) => ({ errors: projDataDirProblems(loaded) });

// options the spec accepts that serve cannot honour (mapnik sources, inspire_md...; attribution warns)
const refusesUnsupported: ConfigCheck = (loaded) => unsupportedOptions(loaded);

/** Loads and validates the configuration (and seed config), builds its grids and checks its cache backends; reports, never throws for config problems. */
export function checkConfiguration(options: Omit<CheckConfigOptions, 'checks'>): Promise<CheckConfigResult> {
  return checkConfig({
    ...options,
    checks: [
      refusesUnsupported,
      buildsGrids,
      buildsCacheBackends,
      findsMapServer,
      findsProjDataDir,
      buildsSourceCoverages,
      buildsSeedCoverages,
    ],
  });
}
