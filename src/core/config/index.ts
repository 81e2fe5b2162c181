/**
 * Config: mapproxy.yaml and seed.yaml loading with source positions, `base:` includes,
 * `$VAR` expansion, staged validation and MapProxy's defaults. Never builds runtime objects.
 */
export {
  asWarnings,
  ConfigError,
  ConfigErrors,
  formatConfigPath,
  formatConfigProblem,
  configErrorAt,
  displayFile,
  type ConfigErrorCode,
  type ConfigWarningCode,
  type ConfigWarning,
  type ConfigPath,
  type ConfigPathSegment,
  type SourcePosition,
} from './errors.js';
export { loadConfig, type LoadedConfig, type LoadConfigOptions } from './load-config.js';
export { loadSeedConfig, type LoadedSeedConfig } from './load-seed-config.js';
export {
  checkConfig,
  type CheckConfigOptions,
  type CheckConfigResult,
  type ConfigCheck,
  type ConfigCheckResult,
  type ConfigSummary,
  type SeedSummary,
} from './check-config.js';
export { splitTaggedSource, DEFAULT_GRID_NAMES } from './references.js';
export { mapproxyJsonSchema, seedJsonSchema, renderJsonSchema } from './schemas.js';
export type { Env } from './env.js';
export type * from './types.js';
