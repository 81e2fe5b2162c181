/**
 * The `check` use case: the configuration stages, then the very build `serve` and `seed` run
 * (`buildProxy`), so whatever they would refuse `check` refuses first, at its YAML position. The
 * build opens nothing (cache files, connections and pools open on first use) and is closed again.
 * With a seed.yaml, the coverages its tasks use are read as `seed` reads them.
 */
import {
  checkConfig,
  ConfigError,
  ConfigErrors,
  configErrorAt,
  formatConfigProblem,
  type CheckConfigOptions,
  type CheckConfigResult,
  type ConfigCheck,
  type ConfigWarning,
} from '../config/index.js';
import { buildProxy } from './build-proxy.js';
import { seedConfigCoverage } from './coverage-from-config.js';
import { unsupportedOptions } from './unsupported-options.js';

// everything serve builds; its refusals are ConfigError(s) already, anything else is stated
// against the file (a build failure without a position is a bug of ours, never a crash of check)
const buildsTheProxy: ConfigCheck = async (loaded) => {
  // the build refuses unsupported options but only logs their warnings; check reports them
  const { warnings } = unsupportedOptions(loaded);
  try {
    await buildProxy(loaded, { quiet: true }).close();
    return { warnings };
  } catch (error) {
    if (error instanceof ConfigErrors)
      return { errors: error.errors, warnings: unique([...warnings, ...error.warnings]) };
    if (error instanceof ConfigError) return { errors: [error], warnings };
    const message = error instanceof Error ? error.message : String(error);
    const unexpected = configErrorAt(
      loaded,
      [],
      `cannot build this configuration: ${message}`,
      'CONFIG_INVALID_VALUE',
      {
        cause: error,
      },
    );
    return { errors: [unexpected], warnings };
  }
};

function unique(warnings: readonly ConfigWarning[]): ConfigWarning[] {
  const seen = new Set<string>();
  return warnings.filter((warning) => {
    const text = formatConfigProblem(warning);
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  });
}

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

// the seed.yaml coverages that tasks use (MapProxy reads only those): what seed would refuse
const buildsSeedCoverages: ConfigCheck = (_loaded, seed) => {
  if (seed === undefined) return undefined;
  const tasks = [...Object.values(seed.config.seeds), ...Object.values(seed.config.cleanups)];
  const names = new Set(tasks.flatMap((task) => task.coverages ?? []));
  return { errors: [...names].flatMap((name) => configProblems(() => seedConfigCoverage(seed, name))) };
};

/** Loads and validates the configuration (and seed config) and runs serve's build on it; reports, never throws for config problems. */
export function checkConfiguration(options: Omit<CheckConfigOptions, 'checks'>): Promise<CheckConfigResult> {
  return checkConfig({ ...options, checks: [buildsTheProxy, buildsSeedCoverages] });
}
