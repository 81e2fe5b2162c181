/**
 * The `check` use case: the configuration stages, then the very build `serve` and `seed` run
 * (`buildProxy`), so whatever they would refuse `check` refuses first, at its YAML position. The
 * build opens nothing (cache files, connections and pools open on first use) and is closed again.
 * With a seed.yaml, the coverages its tasks use are read, and its tasks planned, as `seed` does.
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
  type LoadedConfig,
  type LoadedSeedConfig,
} from '../config/index.js';
import { buildProxy, type ProxyRuntime } from './build-proxy.js';
import { seedConfigCoverage } from './coverage-from-config.js';
import { unsupportedOptions } from './unsupported-options.js';

// everything serve builds; its refusals are ConfigError(s) already, anything else is stated
// against the file (a build failure without a position is a bug of ours, never a crash of check)
function buildsTheProxy(seedPlan: SeedPlanCheck | undefined): ConfigCheck {
  return async (loaded, seed) => {
    // the build refuses unsupported options but only logs their warnings; check reports them
    const { warnings } = unsupportedOptions(loaded);
    let runtime: ProxyRuntime;
    try {
      runtime = buildProxy(loaded, { quiet: true });
    } catch (error) {
      return {
        errors: buildRefusals(loaded, error),
        warnings: unique([...warnings, ...(error instanceof ConfigErrors ? error.warnings : [])]),
      };
    }
    try {
      // with a seed.yaml: its tasks planned against this runtime, as seed plans them
      const errors = seed === undefined || seedPlan === undefined ? [] : await seedPlan(runtime, seed);
      return { errors, warnings };
    } finally {
      await runtime.close();
    }
  };
}

/** A build failure as positioned errors; one without a position (a bug of ours) is stated against the file. */
function buildRefusals(loaded: LoadedConfig, error: unknown): readonly ConfigError[] {
  if (error instanceof ConfigErrors) return error.errors;
  if (error instanceof ConfigError) return [error];
  const message = error instanceof Error ? error.message : String(error);
  return [
    configErrorAt(loaded, [], `cannot build this configuration: ${message}`, 'CONFIG_INVALID_VALUE', {
      cause: error,
    }),
  ];
}

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

/** Plans a seed.yaml's tasks against a built runtime (seed/ does; app cannot import it). */
export type SeedPlanCheck = (
  runtime: ProxyRuntime,
  seed: LoadedSeedConfig,
) => Promise<readonly ConfigError[]>;

/**
 * Loads and validates the configuration (and seed config) and runs serve's build on it, and with
 * `seedPlan` plans the seed tasks on that build; reports, never throws for config problems.
 */
export function checkConfiguration(
  options: Omit<CheckConfigOptions, 'checks'>,
  seedPlan?: SeedPlanCheck,
): Promise<CheckConfigResult> {
  return checkConfig({ ...options, checks: [buildsTheProxy(seedPlan), buildsSeedCoverages] });
}
